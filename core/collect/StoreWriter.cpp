// SPDX-License-Identifier: GPL-3.0-or-later
#include "StoreWriter.h"

namespace doppel {

StoreWriter::StoreWriter(QString repositoryPath) : m_path(std::move(repositoryPath))
{}
StoreWriter::~StoreWriter() = default;

bool StoreWriter::ensureOpen()
{
    if (m_repo)
        return true;
    auto repo = Repository::open(m_path);
    if (!repo) {
        Q_EMIT failed(repo.error().toString());
        return false;
    }
    m_repo = std::move(*repo);
    return true;
}

void StoreWriter::writeSamples(qint64 hostId, const MetricSamples& samples)
{
    if (!ensureOpen())
        return;
    if (auto st = m_repo->appendSamples(hostId, samples); !st)
        Q_EMIT failed(st.error().toString());
}

void StoreWriter::writeEvent(int severity, const QString& source, const QString& host,
                             const QString& message)
{
    if (!ensureOpen())
        return;
    if (auto st = m_repo->appendEvent(Event{0, 0, Severity(severity), source, host, message}); !st)
        Q_EMIT failed(st.error().toString());
}

} // namespace doppel
