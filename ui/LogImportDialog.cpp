// SPDX-License-Identifier: GPL-3.0-or-later
#include "LogImportDialog.h"

#include "Async.h"
#include "JobButtons.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QVBoxLayout>

namespace doppel {

namespace {

// How much of the progress bar the copy over SFTP takes when there is one.
constexpr double kFetchShare = 0.5;

QString sizeText(qint64 bytes)
{
    return bytes < 0 ? QStringLiteral("?") : QString::number(double(bytes) / 1e6, 'f', 1) + " MB";
}

} // namespace

LogImportDialog::LogImportDialog(HostServices& hosts, const std::vector<Host>& inventory,
                                 QWidget* parent)
    : QDialog(parent), m_hosts(hosts)
{
    setObjectName(QStringLiteral("logImportDialog"));
    setWindowTitle(tr("Import server logs"));
    for (const Host& h : inventory)
        if (h.ssh && h.ssh->isValid())
            m_inventory.push_back(h);

    m_localRadio = new QRadioButton(tr("Log files on this machine"), this);
    m_localRadio->setObjectName(QStringLiteral("localRadio"));
    m_localRadio->setChecked(true);
    m_remoteRadio = new QRadioButton(tr("The server's log directory, over SSH"), this);
    m_remoteRadio->setObjectName(QStringLiteral("remoteRadio"));
    m_remoteRadio->setEnabled(!m_inventory.empty());
    if (m_inventory.empty())
        m_remoteRadio->setToolTip(tr("No host of the inventory has an SSH endpoint."));
    auto* group = new QButtonGroup(this);
    group->addButton(m_localRadio);
    group->addButton(m_remoteRadio);
    connect(group, &QButtonGroup::buttonToggled, this, &LogImportDialog::updateSource);

    m_localList = new QListWidget(this);
    m_localList->setObjectName(QStringLiteral("localList"));
    m_addFilesButton = new QPushButton(tr("Add files…"), this);
    connect(m_addFilesButton, &QPushButton::clicked, this, &LogImportDialog::browseFiles);
    auto* localRow = new QHBoxLayout;
    localRow->addWidget(m_localList, 1);
    localRow->addWidget(m_addFilesButton, 0, Qt::AlignTop);

    m_hostCombo = new QComboBox(this);
    m_hostCombo->setObjectName(QStringLiteral("hostCombo"));
    for (const Host& h : m_inventory)
        m_hostCombo->addItem(h.name, h.name);
    m_remoteDirEdit = new QLineEdit(this);
    m_remoteDirEdit->setObjectName(QStringLiteral("remoteDirEdit"));
    m_remoteDirEdit->setPlaceholderText(tr("the server's log_directory"));
    m_listButton = new QPushButton(tr("List"), this);
    m_listButton->setObjectName(QStringLiteral("listButton"));
    connect(m_listButton, &QPushButton::clicked, this, &LogImportDialog::listRemote);
    auto* remoteRow = new QHBoxLayout;
    remoteRow->addWidget(m_hostCombo);
    remoteRow->addWidget(m_remoteDirEdit, 1);
    remoteRow->addWidget(m_listButton);
    m_remoteList = new QListWidget(this);
    m_remoteList->setObjectName(QStringLiteral("remoteList"));

    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(QStringLiteral("formatCombo"));
    m_formatCombo->addItem(QStringLiteral("csvlog"), int(LogImportOptions::Format::CsvLog));
    m_formatCombo->addItem(QStringLiteral("stderr"), int(LogImportOptions::Format::Stderr));
    m_prefixEdit = new QLineEdit(LogImportOptions().logLinePrefix, this);
    m_prefixEdit->setObjectName(QStringLiteral("prefixEdit"));
    m_prefixEdit->setToolTip(tr("The server's log_line_prefix: time, session and user/database "
                                "are needed (e.g. '%m [%p] %q%c %u@%d ')."));
    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, &LogImportDialog::updateSource);
    m_outputEdit = new QLineEdit(this);
    m_outputEdit->setObjectName(QStringLiteral("outputEdit"));
    auto* outputBrowse = new QPushButton(tr("Browse…"), this);
    connect(outputBrowse, &QPushButton::clicked, this, &LogImportDialog::browseOutput);
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_outputEdit, 1);
    outputRow->addWidget(outputBrowse);

    auto* form = new QFormLayout;
    form->addRow(m_localRadio);
    form->addRow(localRow);
    form->addRow(m_remoteRadio);
    form->addRow(remoteRow);
    form->addRow(m_remoteList);
    form->addRow(tr("Format:"), m_formatCombo);
    form->addRow(tr("log_line_prefix:"), m_prefixEdit);
    form->addRow(tr("Capture folder:"), outputRow);

    const JobButtons job = makeJobButtons(this, tr("Import"));
    m_startButton = job.start;
    m_cancelButton = job.cancel;
    connect(m_startButton, &QPushButton::clicked, this, &LogImportDialog::start);
    connect(m_cancelButton, &QPushButton::clicked, this, &LogImportDialog::cancelImport);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_issues = new QPlainTextEdit(this);
    m_issues->setObjectName(QStringLiteral("issuesText"));
    m_issues->setReadOnly(true);
    m_issues->setPlaceholderText(tr("Lines that could not be read are listed here."));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(job.row);
    layout->addWidget(m_progress);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_issues, 1);
    resize(800, 640);
    updateSource();
}

LogImportDialog::~LogImportDialog()
{
    m_cancel.cancel(); // a copy or an import in flight stops at its next chunk
    m_workers.waitForDone();
}

void LogImportDialog::addLocalFiles(const QStringList& files)
{
    m_localList->addItems(files);
    m_localRadio->setChecked(true);
}

void LogImportDialog::setOutputDir(const QString& dir)
{
    m_outputEdit->setText(dir);
}

void LogImportDialog::setFormat(LogImportOptions::Format format)
{
    m_formatCombo->setCurrentIndex(m_formatCombo->findData(int(format)));
}

void LogImportDialog::useHost(const QString& hostName, const QString& directory)
{
    m_hostCombo->setCurrentIndex(m_hostCombo->findData(hostName));
    m_remoteDirEdit->setText(directory);
    m_remoteRadio->setChecked(true);
}

void LogImportDialog::updateSource()
{
    const bool remote = m_remoteRadio->isChecked();
    m_localList->setEnabled(!remote && !m_running);
    m_addFilesButton->setEnabled(!remote && !m_running);
    m_hostCombo->setEnabled(remote && !m_running);
    m_remoteDirEdit->setEnabled(remote && !m_running);
    m_listButton->setEnabled(remote && !m_running);
    m_remoteList->setEnabled(remote && !m_running);
    m_prefixEdit->setEnabled(m_formatCombo->currentData().toInt() ==
                             int(LogImportOptions::Format::Stderr));
}

void LogImportDialog::browseFiles()
{
    auto* dialog = new QFileDialog(this, tr("Server log files"));
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setNameFilters({tr("PostgreSQL logs (*.csv *.log *.gz)"), tr("All files (*)")});
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::filesSelected, this, &LogImportDialog::addLocalFiles);
    dialog->open(); // window-modal, no nested event loop
}

void LogImportDialog::browseOutput()
{
    auto* dialog = new QFileDialog(this, tr("Capture folder"), m_outputEdit->text());
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, m_outputEdit, &QLineEdit::setText);
    dialog->open();
}

const Host* LogImportDialog::chosenHost() const
{
    const int index = m_hostCombo->currentIndex();
    return index < 0 ? nullptr : &m_inventory[size_t(index)];
}

void LogImportDialog::listRemote()
{
    const Host* host = chosenHost();
    if (m_running || !host)
        return;
    const Host target = *host;
    const QString dir = m_remoteDirEdit->text().trimmed();
    m_cancel = CancelToken();
    setRunning(true);
    m_remoteList->clear();
    m_statusLabel->setText(tr("Listing the logs of %1…").arg(target.name));
    runAsync(
        m_workers, this,
        [this, target, dir,
         cancel = m_cancel]() -> Result<std::pair<QString, QList<ServerLogFile>>> {
            QString where = dir;
            if (where.isEmpty()) {
                auto asked = m_hosts.serverLogDirectory(target, std::chrono::seconds(10), cancel);
                if (!asked)
                    return asked.error();
                where = *asked;
            }
            auto files = m_hosts.listServerLogs(target, where, cancel);
            if (!files)
                return files.error();
            return std::make_pair(where, *files);
        },
        [this](Result<std::pair<QString, QList<ServerLogFile>>> listing) {
            setRunning(false);
            if (!listing) {
                m_statusLabel->setText(tr("Cannot list the logs: %1").arg(listing.error().message));
                Q_EMIT listed(false);
                return;
            }
            m_remoteDirEdit->setText(listing->first);
            m_remoteFiles = listing->second;
            const QString suffix =
                m_formatCombo->currentData().toInt() == int(LogImportOptions::Format::CsvLog)
                    ? QStringLiteral(".csv")
                    : QStringLiteral(".log");
            for (const ServerLogFile& f : m_remoteFiles) {
                auto* item = new QListWidgetItem(
                    QStringLiteral("%1   %2   %3")
                        .arg(f.path.section(QLatin1Char('/'), -1), sizeText(f.size),
                             QDateTime::fromSecsSinceEpoch(f.modifiedSecs).toString(Qt::ISODate)),
                    m_remoteList);
                item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
                const bool ofFormat = f.path.endsWith(suffix) || f.path.endsWith(suffix + ".gz");
                item->setCheckState(ofFormat ? Qt::Checked : Qt::Unchecked);
            }
            m_statusLabel->setText(tr("%n log file(s) in %1.", nullptr, int(m_remoteFiles.size()))
                                       .arg(listing->first));
            Q_EMIT listed(true);
        });
}

void LogImportDialog::start()
{
    if (m_running)
        return;
    const bool remote = m_remoteRadio->isChecked();
    QStringList files;
    qint64 remoteBytes = 0;
    if (remote) {
        for (int i = 0; i < m_remoteList->count(); ++i)
            if (m_remoteList->item(i)->checkState() == Qt::Checked) {
                files << m_remoteFiles[i].path;
                remoteBytes += std::max<qint64>(0, m_remoteFiles[i].size);
            }
    } else {
        for (int i = 0; i < m_localList->count(); ++i)
            files << m_localList->item(i)->text();
    }
    const QString out = m_outputEdit->text().trimmed();
    const Host* host = remote ? chosenHost() : nullptr;
    if (files.isEmpty() || out.isEmpty() || (remote && !host)) {
        m_statusLabel->setText(remote ? tr("List the host's logs, tick the files to import and "
                                           "choose a capture folder.")
                                      : tr("Add log files and choose a capture folder."));
        return;
    }
    LogImportOptions options;
    options.format = LogImportOptions::Format(m_formatCombo->currentData().toInt());
    options.logLinePrefix = m_prefixEdit->text();
    const Host target = host ? *host : Host{};
    m_cancel = CancelToken();
    setRunning(true);
    m_issues->clear();
    showProgress(0, remote ? tr("Copying %1 over SFTP…").arg(sizeText(remoteBytes))
                           : tr("Importing…"));
    auto report = [this](double share, const QString& step) {
        QMetaObject::invokeMethod(
            this, [this, share, step] { showProgress(share, step); }, Qt::QueuedConnection);
    };
    runAsync(
        m_workers, this,
        [this, remote, files, remoteBytes, out, options, target, report,
         cancel = m_cancel]() -> Result<LogImportResult> {
            QStringList local = files;
            QTemporaryDir copies; // owner-only; removed once imported
            double importStart = 0;
            if (remote) {
                const QString step = tr("Copying the logs over SFTP…");
                auto fetched = m_hosts.fetchFiles(
                    target, files, copies.path(),
                    [&](qint64 done) {
                        report(kFetchShare * double(done) /
                                   double(std::max<qint64>(1, remoteBytes)),
                               step);
                    },
                    cancel);
                if (!fetched)
                    return fetched.error();
                local = *fetched;
                importStart = kFetchShare;
            }
            const QString step = tr("Importing…");
            return importLogsToCapture(
                local, options, out,
                [&](double share) { report(importStart + (1 - importStart) * share, step); },
                cancel);
        },
        [this](Result<LogImportResult> result) { showResult(result); });
}

void LogImportDialog::cancelImport()
{
    m_cancel.cancel();
    m_statusLabel->setText(tr("Cancelling…"));
}

void LogImportDialog::showProgress(double share, const QString& step)
{
    if (!m_running)
        return; // a late update after the result
    m_progress->setValue(int(share * 1000));
    m_statusLabel->setText(step);
}

void LogImportDialog::showResult(const Result<LogImportResult>& result)
{
    setRunning(false);
    if (!result) {
        m_statusLabel->setText(result.error().code == ErrorCode::Cancelled
                                   ? tr("Cancelled: %1").arg(result.error().message)
                                   : tr("Import failed: %1").arg(result.error().message));
        Q_EMIT finished(false);
        return;
    }
    m_progress->setValue(1000);
    m_statusLabel->setText(tr("%1 statements from %2 file(s) (%3) into %4; %5 line(s) could not "
                              "be read.")
                               .arg(result->statements)
                               .arg(result->files)
                               .arg(sizeText(result->bytes), m_outputEdit->text().trimmed())
                               .arg(result->issues.size()));
    QStringList lines;
    for (const LogImportIssue& issue : result->issues)
        lines << issue.toString();
    m_issues->setPlainText(lines.join(QLatin1Char('\n')));
    Q_EMIT finished(true);
}

void LogImportDialog::setRunning(bool running)
{
    m_running = running;
    m_startButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
    m_localRadio->setEnabled(!running);
    m_remoteRadio->setEnabled(!running && !m_inventory.empty());
    updateSource();
}

} // namespace doppel
