// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabStarter.h"

#include "lab/Lab.h"
#include "store/Repository.h"

#include <QMetaObject>
#include <QThread>

namespace doppel {

namespace {

struct LabOutcome
{
    bool ok = false;
    QString message;
};

LabOutcome bringUp(const QString& dir, const QString& repositoryPath, int scale,
                   const Lab::Progress& progress)
{
    auto repo = Repository::open(repositoryPath);
    if (!repo)
        return {false, repo.error().toString()};
    Lab lab(dir);
    if (lab.isRunning()) {
        auto state = lab.status();
        if (!state)
            return {false, state.error().toString()};
        // Started earlier, maybe against another repository: make sure this one knows it.
        if (auto st = Lab::registerHosts(*state, **repo); !st)
            return {false, st.error().toString()};
        return {true, LabStarter::tr("The lab in %1 is running.").arg(dir)};
    }
    Lab::Options options;
    options.scale = scale;
    auto state = lab.up(options, repo->get(), progress);
    if (!state)
        return {false, state.error().toString()};
    return {true, LabStarter::tr("The lab in %1 is up.").arg(dir)};
}

} // namespace

LabStarter::LabStarter(QString labDir, QString repositoryPath, QObject* parent)
    : QObject(parent), m_labDir(std::move(labDir)), m_repositoryPath(std::move(repositoryPath))
{}

LabStarter::~LabStarter()
{
    if (m_thread)
        m_thread->wait();
}

bool LabStarter::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void LabStarter::start(int scale)
{
    if (isRunning())
        return;
    // Posting to `this` is safe: the destructor waits for the thread before QObject goes.
    auto report = [this](const QString& step) {
        QMetaObject::invokeMethod(
            this, [this, step] { Q_EMIT progress(step); }, Qt::QueuedConnection);
    };
    m_thread.reset(QThread::create([this, dir = m_labDir, path = m_repositoryPath, scale, report] {
        const LabOutcome outcome = bringUp(dir, path, scale, report);
        QMetaObject::invokeMethod(
            this, [this, outcome] { Q_EMIT finished(outcome.ok, outcome.message); },
            Qt::QueuedConnection);
    }));
    m_thread->setObjectName(QStringLiteral("doppel-lab-start"));
    m_thread->start();
}

} // namespace doppel
