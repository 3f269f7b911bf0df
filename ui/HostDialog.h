// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inventory/Host.h"

#include <QDialog>

#include <chrono>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace doppel {

class ConnectionTester;
class HostServices;
class SecretStore;

// Adds or edits one inventory host: name, role, PostgreSQL conninfo and password, an optional
// SSH endpoint, and a "Test connection" that runs on a worker (ConnectionTester) so the dialog
// stays responsive and can cancel. Passwords never go into the Host: the caller stores them in
// the SecretStore under pgSecretKey()/sshSecretKey(). GUI thread only.
class HostDialog : public QDialog
{
    Q_OBJECT
public:
    HostDialog(HostServices& services, SecretStore& secrets, QWidget* parent = nullptr);

    // Edit mode: the name is fixed, because the host's secrets are stored under it.
    void setHost(const Host& host);
    // Names already in the inventory; a new host may not reuse one.
    void setExistingNames(const QStringList& names) { m_existingNames = names; }
    void setDefaultKnownHostsFile(const QString& path);
    void setTestTimeout(std::chrono::milliseconds timeout);
    bool isEditing() const { return m_editing; }

    // Valid after accept(): the host with the password stripped from its conninfo, and the
    // secrets typed (empty: keep what is stored).
    Host host() const { return m_result; }
    QString pgPassword() const { return m_resultPgPassword; }
    QString sshSecret() const;

    void accept() override;

private:
    void buildSshGroup();
    // The host as the form describes it; conninfo still as typed.
    Host formHost() const;
    // Splits a password out of the conninfo; false (and an error shown) if it does not parse.
    bool splitConninfo(QString* conninfo, QString* password);
    void startTest();
    void showTestResult(bool ok, const QString& text);
    void updateSshAuth();
    void browse(QLineEdit* edit, const QString& title);

    HostServices& m_services;
    ConnectionTester* m_tester = nullptr;
    bool m_editing = false;
    qint64 m_id = 0;
    QStringList m_existingNames;
    Host m_result;
    QString m_resultPgPassword;

    QLineEdit* m_name = nullptr;
    QComboBox* m_role = nullptr;
    QLineEdit* m_conninfo = nullptr;
    QLineEdit* m_pgPassword = nullptr;
    QGroupBox* m_ssh = nullptr;
    QLineEdit* m_sshHost = nullptr;
    QSpinBox* m_sshPort = nullptr;
    QLineEdit* m_sshUser = nullptr;
    QComboBox* m_sshAuth = nullptr;
    QLineEdit* m_keyFile = nullptr;
    QLineEdit* m_knownHosts = nullptr;
    QLabel* m_sshSecretLabel = nullptr;
    QLineEdit* m_sshSecret = nullptr;
    QPushButton* m_testButton = nullptr;
    QPushButton* m_cancelTest = nullptr;
    QLabel* m_testResult = nullptr;
    QLabel* m_formError = nullptr;
};

} // namespace doppel
