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

"""tenks' Drive template, rendered by a Flask application as sushy-tools'
is, then read by the sushy Redfish client's own Drive resource."""

import json
from unittest import mock

import flask
import sushy
from sushy.resources.system.storage import drive as sushy_drive

from tenks.bmc.sushy import emulator
from tests.unit import base


def render(drive):
    app = flask.Flask('test')
    emulator.use_templates(app)
    emulator.use_templates(app)         # once is enough
    with app.app_context():
        return flask.render_template('drive.json', identity='sys',
                                     storage_id='1', drive=drive)


class DriveTemplateTest(base.TestCase):

    def test_identity_reaches_a_redfish_client(self):
        text = render({'Id': 'd0', 'Name': 'Virtual disk 0',
                       'CapacityBytes': 1024, 'Protocol': 'SAS',
                       'SerialNumber': 'TK2',
                       'Identifiers': [{'DurableNameFormat': 'NAA',
                                        'DurableName': '3ABC0123456789AB'}]})
        doc = json.loads(text)
        self.assertEqual('/redfish/v1/Systems/sys/Storage/1/Drives/d0',
                         doc['@odata.id'])
        conn = mock.Mock()
        conn.get.return_value.json.return_value = doc
        drive = sushy_drive.Drive(conn, doc['@odata.id'],
                                  redfish_version='1.0.2')
        self.assertEqual(('TK2', sushy.Protocol.SAS, 1024),
                         (drive.serial_number, drive.protocol,
                          drive.capacity_bytes))
        self.assertEqual([('3ABC0123456789AB', sushy.DurableNameFormat.NAA)],
                         [(i.durable_name, i.durable_name_format)
                          for i in drive.identifiers])

    def test_a_drive_without_identity(self):
        doc = json.loads(render({'Id': 'd1', 'Name': 'Virtual disk 1',
                                 'CapacityBytes': 0, 'Protocol': 'SATA'}))
        self.assertNotIn('SerialNumber', doc)
        self.assertEqual([], doc['Identifiers'])
