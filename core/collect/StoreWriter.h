// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/MetricSample.h"
#include "store/Repository.h"

#include <QObject>

#include <memory>

namespace doppel {

// Owns a Repository connection on its own thread and writes samples and events there, so
// neither the UI thread nor the collectors wait on disk. Lives on the thread it is moved to;
// other threads talk to it only through queued slots.
class StoreWriter : public QObject
{
    Q_OBJECT
public:
    explicit StoreWriter(QString repositoryPath);
    ~StoreWriter() override;

public Q_SLOTS:
    void writeSamples(qint64 hostId, const doppel::MetricSamples& samples);
    void writeEvent(int severity, const QString& source, const QString& host,
                    const QString& message);
    // Does nothing; a blocking queued call to it waits until every earlier write is done.
    void flush() {}

Q_SIGNALS:
    void failed(const QString& message);

private:
    bool ensureOpen();
    QString m_path;
    std::unique_ptr<Repository> m_repo;
    qint64 m_samplesWritten = 0;
};

} // namespace doppel
