// SPDX-License-Identifier: GPL-3.0-or-later
// The console: parses options, opens the repository for the initial inventory, wires the
// connectors into the Collector and the MainWindow, and shuts the collector down cleanly.

#include "ConnectorServices.h"
#include "LabStarter.h"

#include "DashboardView.h"
#include "MainWindow.h"
#include "MessageBanner.h"
#include "StateIcons.h"

#include "collect/Collector.h"
#include "settings/Settings.h"
#include "store/Repository.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLocale>
#include <QMessageBox>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

using namespace doppel;

namespace {

// Exit code when the repository cannot be used (not a Doppel file, newer version, unreadable).
constexpr int RepositoryErrorExit = 2;

int refuseRepository(const QString& path, const Error& error)
{
    const QString text =
        QCoreApplication::translate("main", "Cannot open the repository %1:\n%2 (%3)")
            .arg(path, error.toString(), errorCodeName(error.code));
    std::fprintf(stderr, "doppel: %s\n", qPrintable(text));
    QMessageBox::critical(nullptr, QCoreApplication::translate("main", "Doppel"), text);
    return RepositoryErrorExit;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("doppel"));
    QApplication::setApplicationDisplayName(QStringLiteral("Doppel"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setWindowIcon(appIcon());
    // The user's language where a translation exists; the built-in English otherwise.
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("doppel"), QStringLiteral("_"),
                        QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Doppel console for PostgreSQL DBAs"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption repoOption(
        QStringLiteral("repo"), QCoreApplication::translate("main", "Repository file to open."),
        QStringLiteral("PATH"));
    const QCommandLineOption labOption(
        QStringLiteral("lab"),
        QCoreApplication::translate("main", "Start the built-in lab if it is not running."));
    const QCommandLineOption labDirOption(
        QStringLiteral("lab-dir"), QCoreApplication::translate("main", "Directory of the lab."),
        QStringLiteral("DIR"));
    const QCommandLineOption intervalOption(
        QStringLiteral("interval"),
        QCoreApplication::translate("main", "Collection interval in seconds."),
        QStringLiteral("SECONDS"));
    // For the README: save the window to FILE after SECONDS and quit.
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"), QString(),
                                        QStringLiteral("FILE"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption screenshotAfterOption(QStringLiteral("screenshot-after"), QString(),
                                             QStringLiteral("SECONDS"), QStringLiteral("10"));
    screenshotAfterOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({repoOption, labOption, labDirOption, intervalOption, screenshotOption,
                       screenshotAfterOption});
    parser.process(app);

    Settings settings;
    const QString repoPath = parser.isSet(repoOption)
                                 ? parser.value(repoOption)
                                 : settings.value(Settings::Key::RepositoryPath).toString();
    std::chrono::milliseconds interval(settings.value(Settings::Key::CollectionIntervalMs).toInt());
    if (parser.isSet(intervalOption)) {
        bool ok = false;
        const double seconds = parser.value(intervalOption).toDouble(&ok);
        if (!ok || seconds <= 0) {
            std::fprintf(stderr, "doppel: --interval needs a positive number of seconds\n");
            return 1;
        }
        interval = std::chrono::milliseconds(qint64(seconds * 1000));
    }

    // The GUI thread reads the (small) inventory once; every later access is on workers.
    std::vector<Host> hosts;
    {
        auto repo = Repository::open(repoPath);
        if (!repo)
            return refuseRepository(repoPath, repo.error());
        auto list = (*repo)->hosts();
        if (!list)
            return refuseRepository(repoPath, list.error());
        hosts = std::move(*list);
    }

    const std::unique_ptr<SecretStore> secrets = createSecretStore();
    const std::unique_ptr<HostServices> services = createHostServices(*secrets);
    const std::unique_ptr<ShadowService> shadow = createShadowService();
    const std::unique_ptr<ReplayService> replay = createReplayService();
    const std::unique_ptr<PlanService> plans = createPlanService();
    const std::unique_ptr<CaptureService> capture = createCaptureService(*secrets);
    Collector collector(*services, repoPath);
    collector.setInterval(interval);
    collector.setTimeout(
        std::chrono::milliseconds(settings.value(Settings::Key::CollectionTimeoutMs).toInt()));

    MainWindow window(ConsoleServices{repoPath, &settings, secrets.get(), services.get(),
                                      &collector, shadow.get(), replay.get(), plans.get(),
                                      capture.get()});
    window.setHosts(hosts);
    window.show();
    collector.start();

    // Declared after the window: destroyed first, waiting for a lab start still under way.
    std::unique_ptr<LabStarter> labStarter;
    if (parser.isSet(labOption)) {
        const QString labDir = parser.isSet(labDirOption)
                                   ? parser.value(labDirOption)
                                   : settings.value(Settings::Key::LabDir).toString();
        labStarter = std::make_unique<LabStarter>(labDir, repoPath);
        MessageBanner* banner = window.banner();
        banner->showMessage(QCoreApplication::translate("main", "Starting the lab…"),
                            MessageBanner::Type::Information);
        QObject::connect(
            labStarter.get(), &LabStarter::progress, banner, [banner](const QString& step) {
                banner->showMessage(
                    QCoreApplication::translate("main", "Starting the lab… %1").arg(step),
                    MessageBanner::Type::Information);
            });
        QObject::connect(labStarter.get(), &LabStarter::finished, &window,
                         [&window](bool ok, const QString& message) {
                             window.banner()->showMessage(message,
                                                          ok ? MessageBanner::Type::Positive
                                                             : MessageBanner::Type::Error,
                                                          ok ? 8000 : 0);
                             if (ok)
                                 window.reloadInventory(); // then the collector gets the lab hosts
                         });
        labStarter->start(10);
    }

    int screenshotResult = 0;
    if (parser.isSet(screenshotOption)) {
        const QString file = parser.value(screenshotOption);
        const double after = parser.value(screenshotAfterOption).toDouble();
        QTimer::singleShot(std::chrono::milliseconds(qint64(after * 1000)), &window,
                           [&window, &screenshotResult, file] {
                               if (!window.grab().save(file)) {
                                   std::fprintf(stderr, "doppel: cannot save %s\n",
                                                qPrintable(file));
                                   screenshotResult = 1;
                               }
                               QApplication::quit();
                           });
    }

    const int rc = QApplication::exec();
    // Cancel collection in flight and let the writer store every sample before anything goes.
    collector.stop();
    if (labStarter && labStarter->isRunning())
        std::fprintf(stderr, "doppel: waiting for the lab to finish starting…\n");
    return rc != 0 ? rc : screenshotResult;
}
