<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>doppel::ConnectionTester</name>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="18"/>
        <source>%1: %2 — %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="88"/>
        <source>Test cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="95"/>
        <source>Testing PostgreSQL and SSH…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="95"/>
        <source>Testing PostgreSQL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="118"/>
        <source>SSH: unknown host key, fetching it…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="128"/>
        <location filename="../ui/ConnectionTester.cpp" line="169"/>
        <location filename="../ui/ConnectionTester.cpp" line="207"/>
        <location filename="../ui/ConnectionTester.cpp" line="212"/>
        <source>SSH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="140"/>
        <source>~/.ssh/known_hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="142"/>
        <source>The SSH server %1:%2 is not known yet.

Key type: %3
Fingerprint: %4

Compare the fingerprint with the server&apos;s (ssh-keygen -lf on its host key). Trust this key and add it to %5?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="148"/>
        <source>Unknown SSH host key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="148"/>
        <source>Trust key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="155"/>
        <source>SSH: host key %1 %2 not trusted; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="195"/>
        <source>PostgreSQL: OK, server %1 (wal_level %2, max_connections %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="199"/>
        <source>PostgreSQL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="204"/>
        <source>SSH: OK, %1 %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/ConnectionTester.cpp" line="208"/>
        <source>Refusing to connect: the server&apos;s key differs from the one in known_hosts. If the change is expected, remove the old key (ssh-keygen -R) and test again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::DashboardView</name>
    <message>
        <location filename="../ui/DashboardView.cpp" line="92"/>
        <source>No host selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/DashboardView.cpp" line="93"/>
        <source>Add a host or select one in the inventory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/DashboardView.cpp" line="101"/>
        <source>State: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::EventsModel</name>
    <message>
        <location filename="../ui/EventsModel.cpp" line="104"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsModel.cpp" line="106"/>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsModel.cpp" line="108"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsModel.cpp" line="110"/>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsModel.cpp" line="112"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::EventsPane</name>
    <message>
        <location filename="../ui/EventsPane.cpp" line="57"/>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsPane.cpp" line="58"/>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsPane.cpp" line="59"/>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/EventsPane.cpp" line="86"/>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::HostDialog</name>
    <message>
        <location filename="../ui/HostDialog.cpp" line="33"/>
        <source>Browse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="45"/>
        <source>Add host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="50"/>
        <source>e.g. billing-prod-1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="53"/>
        <source>Production</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="54"/>
        <source>Shadow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="55"/>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="63"/>
        <location filename="../ui/HostDialog.cpp" line="170"/>
        <source>optional; kept in the keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="66"/>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="67"/>
        <source>&amp;Role:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="68"/>
        <source>&amp;Conninfo:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="69"/>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="73"/>
        <source>&amp;Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="75"/>
        <source>Cancel test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="120"/>
        <source>SSH (for operating-system metrics)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="134"/>
        <source>SSH agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="135"/>
        <source>Key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="136"/>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="147"/>
        <source>&amp;Host:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="148"/>
        <source>P&amp;ort:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="149"/>
        <source>&amp;User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="150"/>
        <source>&amp;Authentication:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="151"/>
        <source>&amp;Key file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="152"/>
        <source>Private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="153"/>
        <source>Known &amp;hosts:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="154"/>
        <source>known_hosts file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="165"/>
        <source>SSH pass&amp;word:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="166"/>
        <source>Key pass&amp;phrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="169"/>
        <source>kept in the keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="188"/>
        <source>Edit host %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="192"/>
        <source>The name keys the host&apos;s secrets and samples; add a new host to rename.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="195"/>
        <source>leave empty to keep the stored password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="205"/>
        <source>leave empty to keep the stored secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="251"/>
        <source>Conninfo: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="267"/>
        <source>Enter a conninfo first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="298"/>
        <source>Enter a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="300"/>
        <source>A host named %1 exists already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="302"/>
        <source>Enter a conninfo, e.g. host=db1 dbname=postgres user=doppel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="304"/>
        <source>SSH needs a host and a user (or uncheck SSH).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/HostDialog.cpp" line="306"/>
        <source>Choose the SSH key file.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::InventoryModel</name>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="138"/>
        <source>Production</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="139"/>
        <source>Shadow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="140"/>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="149"/>
        <source>Servers the workload runs on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="150"/>
        <source>Copies that replay production</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="151"/>
        <source>Candidate servers being sized</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="171"/>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="176"/>
        <source>SSH: %1@%2:%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryModel.cpp" line="187"/>
        <source>Hosts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::InventoryStore</name>
    <message>
        <location filename="../ui/InventoryStore.cpp" line="94"/>
        <source>Could not store the PostgreSQL password of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryStore.cpp" line="98"/>
        <source>Could not store the SSH secret of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryStore.cpp" line="106"/>
        <source>Host added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryStore.cpp" line="113"/>
        <source>Host changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/InventoryStore.cpp" line="130"/>
        <source>Host removed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::LabStarter</name>
    <message>
        <location filename="../app/doppel/LabStarter.cpp" line="34"/>
        <source>The lab in %1 is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/LabStarter.cpp" line="41"/>
        <source>The lab in %1 is up.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="34"/>
        <source>Doppel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="49"/>
        <source>Inventory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="56"/>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="78"/>
        <source>Could not read the chart history: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="82"/>
        <source>Could not read the event log: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="100"/>
        <source>&amp;Add host…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="105"/>
        <source>&amp;Edit host…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="109"/>
        <source>&amp;Remove host…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="114"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="118"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="123"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="127"/>
        <source>&amp;Hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="132"/>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="152"/>
        <source>Samples could not be stored: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="220"/>
        <source>Remove host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="221"/>
        <source>Remove %1 from the inventory? Its samples and stored secrets are removed too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="223"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="239"/>
        <source>Settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::MessageBanner</name>
    <message>
        <location filename="../ui/MessageBanner.cpp" line="49"/>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::MetricChart</name>
    <message>
        <location filename="../ui/MetricChart.cpp" line="157"/>
        <source>no data</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>doppel::SettingsDialog</name>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="22"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="27"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="34"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="49"/>
        <source>Browse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="57"/>
        <source>Collection &amp;interval:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="58"/>
        <source>Chart &amp;window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="59"/>
        <source>Default &amp;known_hosts:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="59"/>
        <source>known_hosts file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="60"/>
        <source>&amp;Repository:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="60"/>
        <source>Doppel repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="61"/>
        <source>A new repository path takes effect at the next start.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/doppel/main.cpp" line="34"/>
        <source>Cannot open the repository %1:
%2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="37"/>
        <source>Doppel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="53"/>
        <source>Doppel console for PostgreSQL DBAs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="57"/>
        <source>Repository file to open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="61"/>
        <source>Start the built-in lab if it is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="63"/>
        <source>Directory of the lab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="67"/>
        <source>Collection interval in seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="128"/>
        <source>Starting the lab…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/doppel/main.cpp" line="133"/>
        <source>Starting the lab… %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
