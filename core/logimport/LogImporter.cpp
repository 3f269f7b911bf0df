// SPDX-License-Identifier: GPL-3.0-or-later
#include "LogImporter.h"

#include "CsvLogParser.h"
#include "LogStatementMapper.h"
#include "StderrLogParser.h"
#include "workload/CaptureWriter.h"

#include <QFileInfo>

#include <zlib.h>

#include <memory>

namespace doppel {

namespace {

constexpr size_t ChunkBytes = 1 << 20;
// The writer's queue holds 65,536 records; waiting for it below that never drops one.
constexpr int FlushEvery = 16384;

struct GzCloser
{
    void operator()(gzFile f) const { gzclose(f); }
};
using GzPtr = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

} // namespace

Result<LogImportOptions::Format> parseLogFormat(const QString& text)
{
    if (text == QLatin1String("csvlog"))
        return LogImportOptions::Format::CsvLog;
    if (text == QLatin1String("stderr"))
        return LogImportOptions::Format::Stderr;
    return makeError(ErrorCode::InvalidInput,
                     QStringLiteral("--format takes csvlog or stderr, not '%1'").arg(text));
}

Result<LogImportResult> importLogs(const QStringList& files, const LogImportOptions& options,
                                   CaptureWriter& writer,
                                   const std::function<void(double)>& progress,
                                   const CancelToken& cancel)
{
    LogImportResult result;
    qint64 totalBytes = 0;
    for (const QString& f : files) {
        const QFileInfo info(f);
        if (!info.isFile() || !info.isReadable())
            return makeError(ErrorCode::NotFound, QStringLiteral("cannot read log file %1").arg(f));
        totalBytes += info.size();
    }
    int sinceFlush = 0;
    LogStatementMapper mapper([&](CaptureRecord&& r) {
        writer.submit(std::move(r));
        if (++sinceFlush >= FlushEvery) {
            writer.flush();
            sinceFlush = 0;
        }
    });
    qint64 doneBytes = 0; // on disk (compressed where it is), for progress
    std::string chunk(ChunkBytes, '\0');
    for (const QString& file : files) {
        auto problem = [&](std::int64_t line, const std::string& what) {
            result.issues.append(LogImportIssue{file, line, QString::fromStdString(what)});
        };
        auto entry = [&](LogEntry&& e) { mapper.add(e); };
        std::unique_ptr<LogParser> parser;
        if (options.format == LogImportOptions::Format::CsvLog) {
            parser = std::make_unique<CsvLogParser>(entry, problem);
        } else {
            auto p = StderrLogParser::create(options.logLinePrefix, entry, problem);
            if (!p)
                return p.error();
            parser = std::move(*p);
        }
        // gzread reads plain files as they are, so one path serves both.
        GzPtr in(gzopen(QFile::encodeName(file).constData(), "rb"));
        if (!in)
            return makeError(ErrorCode::Io, QStringLiteral("cannot open %1").arg(file));
        gzbuffer(in.get(), 1 << 18);
        for (;;) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled,
                                 QStringLiteral("import cancelled in %1 after %2 statements")
                                     .arg(file)
                                     .arg(mapper.statements()));
            const int n = gzread(in.get(), chunk.data(), unsigned(chunk.size()));
            if (n < 0) {
                int code = 0;
                const char* why = gzerror(in.get(), &code);
                // A truncated .gz still gave what it held: report and keep it.
                problem(0, std::string("reading stopped: ") + (why ? why : "corrupt data"));
                break;
            }
            if (n == 0)
                break;
            result.bytes += n;
            parser->feed(std::string_view(chunk.data(), size_t(n)));
            if (progress && totalBytes > 0)
                progress(double(doneBytes + gzoffset(in.get())) / double(totalBytes));
        }
        parser->finish();
        doneBytes += QFileInfo(file).size();
        ++result.files;
    }
    mapper.finish();
    writer.flush();
    result.statements = mapper.statements();
    if (writer.dropped() > 0)
        return makeError(ErrorCode::Io, QStringLiteral("the capture writer dropped %1 records: %2")
                                            .arg(writer.dropped())
                                            .arg(writer.lastError()));
    return result;
}

Result<LogImportResult> importLogsToCapture(const QStringList& files,
                                            const LogImportOptions& options, const QString& dir,
                                            const std::function<void(double)>& progress,
                                            const CancelToken& cancel)
{
    CaptureWriterOptions writerOptions;
    writerOptions.dir = dir;
    writerOptions.fsync = FsyncPolicy::None; // flushed and closed at the end
    auto writer = CaptureWriter::open(writerOptions);
    if (!writer)
        return writer.error();
    auto result = importLogs(files, options, **writer, progress, cancel);
    (*writer)->close();
    return result;
}

} // namespace doppel
