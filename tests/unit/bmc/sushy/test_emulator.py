# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""The correction tenks makes to sushy-tools' emulator, and why."""

import inspect

from sushy_tools.emulator.resources.systems import libvirtdriver
from sushy_tools import error

from tenks.bmc.sushy import emulator
from tests.unit import base


class _Driver(object):
    """A systems driver with one legacy BIOS and one UEFI system."""

    MODES = {'bios-node': 'Legacy', 'uefi-node': 'UEFI'}

    def get_boot_mode(self, identity):
        return self.MODES[identity]

    def get_secure_boot(self, identity):
        if self.get_boot_mode(identity) == 'Legacy':
            raise error.NotSupportedError('no secure boot in legacy mode')
        return True


class PatchTest(base.TestCase):

    def test_legacy_systems_report_secure_boot_off(self):
        driver_class = type('Driver', (_Driver,), {})
        emulator.patch(driver_class)
        emulator.patch(driver_class)        # once is enough
        driver = driver_class()
        self.assertIs(False, driver.get_secure_boot('bios-node'))
        self.assertIs(True, driver.get_secure_boot('uefi-node'))
        self.assertIs(_Driver.get_secure_boot, driver_class.__dict__[
            'get_secure_boot'].__closure__[0].cell_contents)

    def test_what_the_correction_relies_on_in_sushy_tools(self):
        # The methods it wraps and calls, with the signatures it uses.
        for name in ('get_secure_boot', 'get_boot_mode'):
            params = list(inspect.signature(getattr(
                libvirtdriver.LibvirtDriver, name)).parameters)
            self.assertEqual(['self', 'identity'], params, name)
        # The behaviour it corrects: drop the correction once sushy-tools
        # answers for legacy systems itself.
        source = inspect.getsource(libvirtdriver.LibvirtDriver
                                   .get_secure_boot)
        self.assertIn('NotSupportedError', source)
