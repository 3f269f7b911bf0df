// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The console as `doppel` builds it, for the GUI tests on the lab: a repository in a folder of
// the test's with the lab's hosts registered, every connector service, the collector (not
// started) and the main window (not shown). Test thread only.

#include "LabFixture.h"
#include "MemorySecretStore.h"

#include "ConnectorServices.h"
#include "MainWindow.h"

#include "collect/Collector.h"
#include "settings/Settings.h"
#include "store/Repository.h"

#include <QtTest>

#include <memory>
#include <vector>

namespace doppel::test {

struct LabConsole
{
    QString repoPath;
    std::vector<Host> hosts;
    MemorySecretStore secrets;
    std::unique_ptr<Settings> settings;
    std::unique_ptr<HostServices> services;
    std::unique_ptr<ShadowService> shadowService;
    std::unique_ptr<ReplayService> replayService;
    std::unique_ptr<PlanService> planService;
    std::unique_ptr<CaptureService> captureService;
    std::unique_ptr<Collector> collector;
    std::unique_ptr<MainWindow> window;

    ~LabConsole()
    {
        if (collector)
            collector->stop();
        window.reset();
        collector.reset();
    }

    // The repository in `dir` with the lab's hosts (the lab started if the ctest fixture did
    // not); empty on success, otherwise why not.
    QString openRepository(const QString& dir)
    {
        sharedLab();
        repoPath = dir + QStringLiteral("/doppel.sqlite");
        auto repo = Repository::open(repoPath);
        if (!repo)
            return repo.error().toString();
        registerLabHosts(**repo);
        auto list = (*repo)->hosts();
        if (!list)
            return list.error().toString();
        hosts = *list;
        return {};
    }

    // The services, the collector and the window over that repository.
    void createWindow(const QString& dir)
    {
        settings = std::make_unique<Settings>(dir + QStringLiteral("/doppel.conf"));
        services = createHostServices(secrets);
        shadowService = createShadowService();
        replayService = createReplayService();
        planService = createPlanService();
        captureService = createCaptureService(secrets);
        collector = std::make_unique<Collector>(*services, repoPath);
        window = std::make_unique<MainWindow>(ConsoleServices{
            repoPath, settings.get(), &secrets, services.get(), collector.get(),
            shadowService.get(), replayService.get(), planService.get(), captureService.get()});
        window->setHosts(hosts);
    }
};

} // namespace doppel::test
