// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "inventory/Host.h"
#include "logimport/LogImporter.h"
#include "services/HostServices.h"

#include <QDialog>
#include <QThreadPool>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace doppel {

// Imports PostgreSQL server logs into a capture: files on this machine, or the log directory
// of an inventory host read over SSH/SFTP (listed, chosen, copied, then imported). Progress over
// both steps, Cancel, and the summary with the lines that could not be read. Listing, copying
// and importing run on a worker; GUI thread only; not modal.
class LogImportDialog : public QDialog
{
    Q_OBJECT
public:
    LogImportDialog(HostServices& hosts, const std::vector<Host>& inventory,
                    QWidget* parent = nullptr);
    ~LogImportDialog() override;

    bool isRunning() const { return m_running; }
    void addLocalFiles(const QStringList& files);
    void setOutputDir(const QString& dir);
    void setFormat(LogImportOptions::Format format);
    // Chooses the host source with this host, directory left to the server (empty) or given.
    void useHost(const QString& hostName, const QString& directory = {});

public Q_SLOTS:
    void listRemote();
    void start();
    void cancelImport();

Q_SIGNALS:
    void listed(bool ok);
    void finished(bool completed);

private:
    void browseFiles();
    void browseOutput();
    void updateSource();
    void showProgress(double share, const QString& step);
    void showResult(const Result<LogImportResult>& result);
    void setRunning(bool running);
    const Host* chosenHost() const;

    HostServices& m_hosts;
    std::vector<Host> m_inventory;
    QRadioButton* m_localRadio = nullptr;
    QRadioButton* m_remoteRadio = nullptr;
    QListWidget* m_localList = nullptr;
    QPushButton* m_addFilesButton = nullptr;
    QComboBox* m_hostCombo = nullptr;
    QLineEdit* m_remoteDirEdit = nullptr;
    QPushButton* m_listButton = nullptr;
    QListWidget* m_remoteList = nullptr;
    QComboBox* m_formatCombo = nullptr;
    QLineEdit* m_prefixEdit = nullptr;
    QLineEdit* m_outputEdit = nullptr;
    QPushButton* m_startButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_statusLabel = nullptr;
    QPlainTextEdit* m_issues = nullptr;
    QList<ServerLogFile> m_remoteFiles;
    bool m_running = false;
    CancelToken m_cancel;
    QThreadPool m_workers; // last member: destroyed (and waited for) first
};

} // namespace doppel
