// SPDX-License-Identifier: GPL-3.0-or-later
#include "HostDialog.h"

#include "ConnectionTester.h"

#include "services/HostServices.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace doppel {

namespace {

QWidget* withBrowse(QLineEdit* edit, QWidget* parent, const std::function<void()>& browse)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* button = new QToolButton(row);
    button->setText(QStringLiteral("…"));
    button->setToolTip(HostDialog::tr("Browse"));
    QObject::connect(button, &QToolButton::clicked, row, browse);
    layout->addWidget(button);
    return row;
}

} // namespace

HostDialog::HostDialog(HostServices& services, SecretStore& secrets, QWidget* parent)
    : QDialog(parent), m_services(services)
{
    setObjectName(QStringLiteral("hostDialog"));
    setWindowTitle(tr("Add host"));
    m_tester = new ConnectionTester(services, secrets, this);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("e.g. billing-prod-1"));
    m_role = new QComboBox(this);
    m_role->setObjectName(QStringLiteral("roleCombo"));
    m_role->addItem(tr("Production"), roleName(HostRole::Production));
    m_role->addItem(tr("Shadow"), roleName(HostRole::Shadow));
    m_role->addItem(tr("Target"), roleName(HostRole::Target));
    m_conninfo = new QLineEdit(this);
    m_conninfo->setObjectName(QStringLiteral("conninfoEdit"));
    m_conninfo->setPlaceholderText(
        QStringLiteral("host=db1 port=5432 dbname=postgres user=doppel"));
    m_pgPassword = new QLineEdit(this);
    m_pgPassword->setObjectName(QStringLiteral("pgPasswordEdit"));
    m_pgPassword->setEchoMode(QLineEdit::Password);
    m_pgPassword->setPlaceholderText(tr("optional; kept in the keychain"));

    auto* pgForm = new QFormLayout;
    pgForm->addRow(tr("&Name:"), m_name);
    pgForm->addRow(tr("&Role:"), m_role);
    pgForm->addRow(tr("&Conninfo:"), m_conninfo);
    pgForm->addRow(tr("&Password:"), m_pgPassword);

    buildSshGroup();

    m_testButton = new QPushButton(tr("&Test connection"), this);
    m_testButton->setObjectName(QStringLiteral("testButton"));
    m_cancelTest = new QPushButton(tr("Cancel test"), this);
    m_cancelTest->setObjectName(QStringLiteral("cancelTestButton"));
    m_cancelTest->setEnabled(false);
    m_testResult = new QLabel(this);
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setTextFormat(Qt::PlainText);
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_formError = new QLabel(this);
    m_formError->setObjectName(QStringLiteral("formError"));
    m_formError->setStyleSheet(QStringLiteral("color: #b02020;"));
    m_formError->hide();

    connect(m_testButton, &QPushButton::clicked, this, &HostDialog::startTest);
    connect(m_cancelTest, &QPushButton::clicked, m_tester, &ConnectionTester::cancel);
    connect(m_tester, &ConnectionTester::progress, this, [this](const QString& text) {
        m_testResult->setStyleSheet(QString());
        m_testResult->setText(text);
    });
    connect(m_tester, &ConnectionTester::finished, this, &HostDialog::showTestResult);

    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_testButton);
    testRow->addWidget(m_cancelTest);
    testRow->addStretch(1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &HostDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &HostDialog::reject);
    // Closing the dialog ends a test in flight rather than leaving it to time out.
    connect(this, &QDialog::finished, m_tester, &ConnectionTester::cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(pgForm);
    layout->addWidget(m_ssh);
    layout->addLayout(testRow);
    layout->addWidget(m_testResult);
    layout->addWidget(m_formError);
    layout->addStretch(1);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

void HostDialog::buildSshGroup()
{
    m_ssh = new QGroupBox(tr("SSH (for operating-system metrics)"), this);
    m_ssh->setObjectName(QStringLiteral("sshGroup"));
    m_ssh->setCheckable(true);
    m_ssh->setChecked(false);
    m_sshHost = new QLineEdit(m_ssh);
    m_sshHost->setObjectName(QStringLiteral("sshHostEdit"));
    m_sshPort = new QSpinBox(m_ssh);
    m_sshPort->setObjectName(QStringLiteral("sshPortSpin"));
    m_sshPort->setRange(1, 65535);
    m_sshPort->setValue(22);
    m_sshUser = new QLineEdit(m_ssh);
    m_sshUser->setObjectName(QStringLiteral("sshUserEdit"));
    m_sshAuth = new QComboBox(m_ssh);
    m_sshAuth->setObjectName(QStringLiteral("sshAuthCombo"));
    m_sshAuth->addItem(tr("SSH agent"), int(SshAuth::Agent));
    m_sshAuth->addItem(tr("Key file"), int(SshAuth::Key));
    m_sshAuth->addItem(tr("Password"), int(SshAuth::Password));
    m_keyFile = new QLineEdit(m_ssh);
    m_keyFile->setObjectName(QStringLiteral("keyFileEdit"));
    m_knownHosts = new QLineEdit(m_ssh);
    m_knownHosts->setObjectName(QStringLiteral("knownHostsEdit"));
    m_sshSecret = new QLineEdit(m_ssh);
    m_sshSecret->setObjectName(QStringLiteral("sshSecretEdit"));
    m_sshSecret->setEchoMode(QLineEdit::Password);
    m_sshSecretLabel = new QLabel(m_ssh);

    auto* form = new QFormLayout(m_ssh);
    form->addRow(tr("&Host:"), m_sshHost);
    form->addRow(tr("P&ort:"), m_sshPort);
    form->addRow(tr("&User:"), m_sshUser);
    form->addRow(tr("&Authentication:"), m_sshAuth);
    form->addRow(tr("&Key file:"),
                 withBrowse(m_keyFile, m_ssh, [this] { browse(m_keyFile, tr("Private key")); }));
    form->addRow(tr("Known &hosts:"), withBrowse(m_knownHosts, m_ssh, [this] {
                     browse(m_knownHosts, tr("known_hosts file"));
                 }));
    form->addRow(m_sshSecretLabel, m_sshSecret);
    connect(m_sshAuth, &QComboBox::currentIndexChanged, this, &HostDialog::updateSshAuth);
    updateSshAuth();
}

void HostDialog::updateSshAuth()
{
    const auto auth = SshAuth(m_sshAuth->currentData().toInt());
    m_keyFile->setEnabled(auth == SshAuth::Key);
    m_sshSecretLabel->setText(auth == SshAuth::Password ? tr("SSH pass&word:")
                                                        : tr("Key pass&phrase:"));
    m_sshSecret->setEnabled(auth != SshAuth::Agent);
    m_sshSecret->setPlaceholderText(auth == SshAuth::Password
                                        ? tr("kept in the keychain")
                                        : tr("optional; kept in the keychain"));
}

void HostDialog::browse(QLineEdit* edit, const QString& title)
{
    // Non-modal file dialog: the answer comes back through a signal, no nested loop.
    auto* dialog = new QFileDialog(this, title, edit->text());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
    connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
    dialog->open();
}

void HostDialog::setHost(const Host& host)
{
    m_editing = true;
    m_id = host.id;
    setWindowTitle(tr("Edit host %1").arg(host.name));
    m_name->setText(host.name);
    m_name->setReadOnly(true);
    m_name->setToolTip(
        tr("The name keys the host's secrets and samples; add a new host to rename."));
    m_role->setCurrentIndex(m_role->findData(roleName(host.role)));
    m_conninfo->setText(host.conninfo);
    m_pgPassword->setPlaceholderText(tr("leave empty to keep the stored password"));
    m_ssh->setChecked(host.ssh.has_value());
    if (host.ssh) {
        m_sshHost->setText(host.ssh->host);
        m_sshPort->setValue(host.ssh->port);
        m_sshUser->setText(host.ssh->user);
        m_sshAuth->setCurrentIndex(m_sshAuth->findData(int(host.ssh->auth)));
        m_keyFile->setText(host.ssh->keyFile);
        m_knownHosts->setText(host.ssh->knownHostsFile);
    }
    m_sshSecret->setPlaceholderText(tr("leave empty to keep the stored secret"));
}

void HostDialog::setDefaultKnownHostsFile(const QString& path)
{
    m_knownHosts->setPlaceholderText(path);
}

void HostDialog::setTestTimeout(std::chrono::milliseconds timeout)
{
    m_tester->setTimeout(timeout);
}

QString HostDialog::sshSecret() const
{
    return m_ssh->isChecked() ? m_sshSecret->text() : QString();
}

Host HostDialog::formHost() const
{
    Host host;
    host.id = m_id;
    host.name = m_name->text().trimmed();
    host.role = roleFromName(m_role->currentData().toString()).value_or(HostRole::Production);
    host.conninfo = m_conninfo->text().trimmed();
    if (m_ssh->isChecked() && !m_sshHost->text().trimmed().isEmpty()) {
        SshEndpoint ssh;
        ssh.host = m_sshHost->text().trimmed();
        ssh.port = m_sshPort->value();
        ssh.user = m_sshUser->text().trimmed();
        ssh.auth = SshAuth(m_sshAuth->currentData().toInt());
        ssh.keyFile = m_keyFile->text().trimmed();
        ssh.knownHostsFile = m_knownHosts->text().trimmed();
        if (ssh.knownHostsFile.isEmpty())
            ssh.knownHostsFile = m_knownHosts->placeholderText();
        host.ssh = ssh;
    }
    return host;
}

bool HostDialog::splitConninfo(QString* conninfo, QString* password)
{
    // Pure parsing (libpq's PQconninfoParse), no I/O: fine on the GUI thread.
    QString inline_;
    auto stripped = m_services.stripPassword(*conninfo, &inline_);
    if (!stripped) {
        m_formError->setText(tr("Conninfo: %1").arg(stripped.error().toString()));
        m_formError->show();
        return false;
    }
    *conninfo = *stripped;
    if (password->isEmpty())
        *password = inline_;
    return true;
}

void HostDialog::startTest()
{
    m_formError->hide();
    Host host = formHost();
    QString password = m_pgPassword->text();
    if (host.conninfo.isEmpty()) {
        showTestResult(false, tr("Enter a conninfo first."));
        return;
    }
    if (!splitConninfo(&host.conninfo, &password))
        return;
    if (!m_editing)
        host.name.clear(); // a new host has no stored secrets, even if the name is taken
    m_testButton->setEnabled(false);
    m_cancelTest->setEnabled(true);
    m_tester->start(host, password, sshSecret());
}

void HostDialog::showTestResult(bool ok, const QString& text)
{
    m_testButton->setEnabled(true);
    m_cancelTest->setEnabled(false);
    m_testResult->setStyleSheet(ok ? QStringLiteral("color: #1e7a3a;")
                                   : QStringLiteral("color: #b02020;"));
    m_testResult->setText(text);
}

void HostDialog::accept()
{
    m_formError->hide();
    Host host = formHost();
    QString password = m_pgPassword->text();
    auto fail = [this](const QString& message) {
        m_formError->setText(message);
        m_formError->show();
    };
    if (host.name.isEmpty())
        return fail(tr("Enter a name."));
    if (!m_editing && m_existingNames.contains(host.name))
        return fail(tr("A host named %1 exists already.").arg(host.name));
    if (host.conninfo.isEmpty())
        return fail(tr("Enter a conninfo, e.g. host=db1 dbname=postgres user=doppel."));
    if (m_ssh->isChecked() && !(host.ssh && host.ssh->isValid()))
        return fail(tr("SSH needs a host and a user (or uncheck SSH)."));
    if (host.ssh && host.ssh->auth == SshAuth::Key && host.ssh->keyFile.isEmpty())
        return fail(tr("Choose the SSH key file."));
    if (!splitConninfo(&host.conninfo, &password))
        return;
    m_result = host;
    m_resultPgPassword = password;
    QDialog::accept();
}

} // namespace doppel
