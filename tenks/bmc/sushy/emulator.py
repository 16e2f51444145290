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
``sushy_tools.emulator.main`` with two corrections:

* sushy-tools answers a GET of a legacy BIOS system's ``SecureBoot`` with
  HTTP 501, which Ironic's Redfish client retries for 30 s, on every
  power state sync of every BIOS node, logging an error each time. The
  BMC of a legacy BIOS server reports secure boot as disabled; this one
  does too.
* Its Drive resource gives every drive the same serial number. This one
  renders tenks' own ``templates/drive.json``: each drive's serial number
  and WWN are those of the node's disk (see :mod:`.config`).

Everything else is sushy-tools' own (its arguments, config file and
behaviour).
"""

import os
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


TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         'templates')


def use_templates(app):
    """Have ``app`` (a Flask application) find tenks' templates first."""
    import jinja2
    if getattr(app, 'tenks_templates', False):
        return
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(TEMPLATES), app.jinja_loader])
    app.tenks_templates = True


def main():
    from sushy_tools.emulator import main as emulator
    from sushy_tools.emulator.resources.systems import libvirtdriver
    patch(libvirtdriver.LibvirtDriver)
    use_templates(emulator.app)
    return emulator.main()


if __name__ == '__main__':
    sys.exit(main())
