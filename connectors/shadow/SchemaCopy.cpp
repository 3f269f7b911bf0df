// SPDX-License-Identifier: GPL-3.0-or-later
#include "SchemaCopy.h"

#include "postgres/Conninfo.h"

#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace doppel::shadow {

Result<QString> findPgProgram(const QString& program, const QString& binDir, int serverVersion)
{
    QStringList tried;
    if (!binDir.isEmpty()) {
        const QString path = binDir + QLatin1Char('/') + program;
        if (QFileInfo(path).isExecutable())
            return path;
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("%1 not found in %2").arg(program, binDir));
    }
    const QString versioned =
        QStringLiteral("/usr/lib/postgresql/%1/bin/%2").arg(serverVersion / 10000).arg(program);
    if (QFileInfo(versioned).isExecutable())
        return versioned;
    const QString onPath = QStandardPaths::findExecutable(program);
    if (!onPath.isEmpty())
        return onPath;
    return makeError(ErrorCode::NotFound,
                     QStringLiteral("%1 not found (looked in %2 and on PATH); install the "
                                    "PostgreSQL client of the server's version or pass --pg-bindir")
                         .arg(program, versioned));
}

namespace {

// A client's environment with the password (from the conninfo or the SecretStore) in
// PGPASSWORD, never on its command line.
Result<QString> prepare(QProcess& process, const QString& conninfo, const QString& storedPassword)
{
    QString password;
    auto bare = pg::Conninfo::withoutPassword(conninfo, &password);
    if (!bare)
        return bare.error();
    if (!storedPassword.isEmpty())
        password = storedPassword;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!password.isEmpty())
        env.insert(QStringLiteral("PGPASSWORD"), password);
    process.setProcessEnvironment(env);
    return *bare;
}

QString lastLines(const QByteArray& text)
{
    QStringList lines = QString::fromUtf8(text).trimmed().split(QLatin1Char('\n'));
    return lines.mid(std::max<qsizetype>(0, lines.size() - 5)).join(QLatin1Char('\n'));
}

} // namespace

Status copySchema(const ShadowSpec& spec, int prodServerVersion, std::chrono::milliseconds timeout)
{
    auto pgDump = findPgProgram(QStringLiteral("pg_dump"), spec.pgBinDir, prodServerVersion);
    if (!pgDump)
        return pgDump.error();
    auto psql = findPgProgram(QStringLiteral("psql"), spec.pgBinDir, prodServerVersion);
    if (!psql)
        return psql.error();

    QProcess dump;
    QProcess restore;
    auto prod = prepare(dump, spec.prodConninfo, spec.prodPassword);
    if (!prod)
        return prod.error();
    auto shadow = prepare(restore, spec.shadowConninfo, spec.shadowPassword);
    if (!shadow)
        return shadow.error();
    dump.setStandardOutputProcess(&restore);
    dump.start(*pgDump, {QStringLiteral("--schema-only"), QStringLiteral("--no-owner"),
                         QStringLiteral("--no-privileges"), QStringLiteral("--no-publications"),
                         QStringLiteral("--no-subscriptions"), QStringLiteral("-d"), *prod});
    restore.start(*psql, {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"),
                          QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-d"), *shadow});
    const int ms = int(timeout.count());
    const bool dumped = dump.waitForFinished(ms);
    if (!dumped)
        dump.kill();
    const bool restored = restore.waitForFinished(dumped ? ms : 2000);
    if (!restored)
        restore.kill();
    dump.waitForFinished(1000);
    restore.waitForFinished(1000);
    if (!dumped || !restored)
        return makeError(
            ErrorCode::Timeout,
            QStringLiteral("schema copy took longer than %1 s").arg(double(ms) / 1000.0));
    if (dump.exitStatus() != QProcess::NormalExit || dump.exitCode() != 0)
        return makeError(ErrorCode::Unavailable,
                         QStringLiteral("pg_dump --schema-only of production failed: %1")
                             .arg(lastLines(dump.readAllStandardError())));
    if (restore.exitStatus() != QProcess::NormalExit || restore.exitCode() != 0)
        return makeError(ErrorCode::Query,
                         QStringLiteral("loading production's schema into the shadow failed: %1")
                             .arg(lastLines(restore.readAllStandardError())));
    return Ok{};
}

} // namespace doppel::shadow
