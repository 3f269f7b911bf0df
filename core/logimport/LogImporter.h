// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace doppel {

class CaptureWriter;

struct LogImportOptions
{
    enum class Format { CsvLog, Stderr };
    Format format = Format::CsvLog;
    QString logLinePrefix = QStringLiteral("%m [%p] "); // stderr only
};

// A line the importer could not read: skipped, never the end of the import.
struct LogImportIssue
{
    QString file;
    qint64 line = 0;
    QString message;
    QString toString() const
    {
        return QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(message);
    }
};

struct LogImportResult
{
    qint64 statements = 0;
    qint64 bytes = 0; // uncompressed bytes read
    qint64 files = 0;
    QList<LogImportIssue> issues;
};

// Imports PostgreSQL server logs (csvlog or stderr, plain or gzip-compressed, found by content)
// into a capture through `writer`, which it never lets drop a record. `progress` gets the share
// of input read (0..1) now and then; `cancel` stops between chunks. Blocking; any thread.
Result<LogImportResult> importLogs(const QStringList& files, const LogImportOptions& options,
                                   CaptureWriter& writer,
                                   const std::function<void(double)>& progress = {},
                                   const CancelToken& cancel = {});

// importLogs into the capture directory `dir` (created if needed), through a writer of its own
// that is closed before it returns.
Result<LogImportResult> importLogsToCapture(const QStringList& files,
                                            const LogImportOptions& options, const QString& dir,
                                            const std::function<void(double)>& progress = {},
                                            const CancelToken& cancel = {});

Result<LogImportOptions::Format> parseLogFormat(const QString& text);

} // namespace doppel
