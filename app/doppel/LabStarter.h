// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QThread;

namespace doppel {

// Brings the built-in lab up for `doppel --lab` on a worker thread (Lab::up blocks for minutes
// while it runs initdb and pgbench), reporting progress to the GUI thread. A lab that runs
// already is reused, and its hosts are registered in the repository if they are missing.
// Create and destroy on the GUI thread; destruction waits for the worker (Lab::up cannot be
// interrupted half-way without leaving processes behind).
class LabStarter : public QObject
{
    Q_OBJECT
public:
    LabStarter(QString labDir, QString repositoryPath, QObject* parent = nullptr);
    ~LabStarter() override;

    void start(int scale);
    bool isRunning() const;

Q_SIGNALS:
    void progress(const QString& step);
    // ok: the lab runs and its hosts are in the repository; message says what happened.
    void finished(bool ok, const QString& message);

private:
    QString m_labDir;
    QString m_repositoryPath;
    std::unique_ptr<QThread> m_thread;
};

} // namespace doppel
