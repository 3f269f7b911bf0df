// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CaptureRecord.h"
#include "common/Result.h"

#include <QList>
#include <QString>

#include <functional>

namespace doppel {

// Something wrong found while reading a capture: a torn tail (a crash cut the last record;
// expected, a warning) or a damaged record in the middle (counted as damaged).
struct CaptureIssue
{
    QString segment; // file name
    qint64 offset = 0;
    bool tornTail = false;
    QString message;
    QString toString() const;
};

// Reads every record of a capture directory in segment order, skipping what is damaged and
// reporting it. Blocking file I/O: any thread, one reader per thread.
class CaptureReader
{
public:
    explicit CaptureReader(QString dir) : m_dir(std::move(dir)) {}
    // Calls `visit` for each record. Fails only when the directory cannot be read at all.
    Status read(const std::function<void(const CaptureRecord&)>& visit);
    const QList<CaptureIssue>& issues() const { return m_issues; }
    qint64 damaged() const { return m_damaged; }
    qint64 segmentsRead() const { return m_segments; }

private:
    void readSegment(const QString& name, const QByteArray& data,
                     const std::function<void(const CaptureRecord&)>& visit);
    QString m_dir;
    QList<CaptureIssue> m_issues;
    qint64 m_damaged = 0;
    qint64 m_segments = 0;
};

} // namespace doppel
