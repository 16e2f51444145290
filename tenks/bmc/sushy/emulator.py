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

"""sushy-tools' Redfish emulator, answering for legacy BIOS as BMCs do.

``python -m tenks.bmc.sushy.emulator --config FILE`` runs
``sushy_tools.emulator.main`` with one correction. sushy-tools answers a
GET of a legacy BIOS system's ``SecureBoot`` with HTTP 501, which Ironic's
Redfish client retries for 30 s, on every power state sync of every BIOS
node, logging an error each time. The BMC of a legacy BIOS server reports
secure boot as disabled; this one does too. Everything else is
sushy-tools' own (its arguments, config file and behaviour).
"""

import sys

LEGACY = 'Legacy'


def secure_boot_off_in_legacy(get_secure_boot):
    """Wrap a driver's ``get_secure_boot``: False in legacy boot mode."""
    def wrapped(self, identity):
        if self.get_boot_mode(identity) == LEGACY:
            return False
        return get_secure_boot(self, identity)
    wrapped.tenks_legacy_secure_boot = True
    return wrapped


def patch(driver_class):
    """Correct ``driver_class`` (once)."""
    current = driver_class.get_secure_boot
    if not getattr(current, 'tenks_legacy_secure_boot', False):
        driver_class.get_secure_boot = secure_boot_off_in_legacy(current)


def main():
    from sushy_tools.emulator import main as emulator
    from sushy_tools.emulator.resources.systems import libvirtdriver
    patch(libvirtdriver.LibvirtDriver)
    return emulator.main()


if __name__ == '__main__':
    sys.exit(main())
