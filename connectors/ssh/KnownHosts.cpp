// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/KnownHosts.h"

#include "ssh/HostKeyTypes.h"
#include "ssh/LibSsh2Handles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace doppel::ssh {

namespace {

// A parsed known_hosts file. libssh2's known-host list needs a session, though it never uses
// the network: a private unconnected one. Members in this order so the list goes first.
struct KnownHostsDb
{
    SessionPtr session;
    KnownHostsPtr hosts;
};

// Reads the file line by line rather than with libssh2_knownhost_readfile, which gives up at
// the first line it cannot parse (certificate authorities, key types it does not know) and so
// would hide every entry below it.
Result<KnownHostsDb> loadDb(const QString& file)
{
    if (!ensureLibssh2())
        return makeError(ErrorCode::Unavailable, QStringLiteral("libssh2 failed to initialise"));
    KnownHostsDb db;
    db.session.reset(libssh2_session_init());
    if (db.session)
        db.hosts.reset(libssh2_knownhost_init(db.session.get()));
    if (!db.hosts)
        return makeError(ErrorCode::Unknown, QStringLiteral("libssh2: out of memory"));
    QFile f(file);
    if (!f.exists())
        return db;
    if (!f.open(QIODevice::ReadOnly))
        return makeError(
            ErrorCode::Io,
            QStringLiteral("cannot read known_hosts file %1: %2").arg(file, f.errorString()));
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        libssh2_knownhost_readline(db.hosts.get(), line.constData(),
                                   static_cast<size_t>(line.size()),
                                   LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
    return db;
}

// LIBSSH2_KNOWNHOST_CHECK_* for one key. The host goes in already as known_hosts writes it
// ("[host]:port") with port -1: libssh2's own port handling would also accept a plain "host"
// entry for another port, which OpenSSH does not.
int checkKey(const KnownHostsDb& db, const QString& host, int port, int keyMask,
             const QByteArray& keyBlob)
{
    const QByteArray pattern = KnownHosts::hostPattern(host, port).toUtf8();
    libssh2_knownhost* entry = nullptr;
    return libssh2_knownhost_checkp(
        db.hosts.get(), pattern.constData(), -1, keyBlob.constData(),
        static_cast<size_t>(keyBlob.size()),
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyMask, &entry);
}

QString removeHint(const QString& pattern, const QString& file)
{
    return QStringLiteral("ssh-keygen -R '%1' -f '%2'").arg(pattern, file);
}

} // namespace

QString KnownHosts::hostPattern(const QString& host, int port)
{
    // OpenSSH looks names up in lower case.
    const QString name = host.toLower();
    if (port == 22)
        return name;
    return QStringLiteral("[%1]:%2").arg(name).arg(port);
}

QString KnownHosts::fingerprint(const QByteArray& keyBlob)
{
    const QByteArray digest = QCryptographicHash::hash(keyBlob, QCryptographicHash::Sha256);
    return QStringLiteral("SHA256:") +
           QString::fromLatin1(digest.toBase64(QByteArray::OmitTrailingEquals));
}

Result<KnownHosts::Decision> KnownHosts::check(const QString& file, const QString& host, int port,
                                               const QString& keyType, const QByteArray& keyBlob)
{
    auto db = loadDb(file);
    if (!db)
        return db.error();
    const QString pattern = hostPattern(host, port);
    const QString key = QStringLiteral("%1 key %2").arg(keyType, fingerprint(keyBlob));
    const int rc = checkKey(*db, host, port, knownHostKeyMask(keyType), keyBlob);
    switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return Decision{
            Verdict::Known,
            QStringLiteral("The host key of %1 (%2) is known (%3).").arg(pattern, key, file)};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        return Decision{
            Verdict::Changed,
            QStringLiteral("The host key of %1 has CHANGED: the server now shows the %2, which "
                           "differs from the one recorded in %3. Someone may be intercepting the "
                           "connection, or the server was reinstalled; refusing to connect. If "
                           "the change is expected, remove the old entry with %4 and connect "
                           "again.")
                .arg(pattern, key, file, removeHint(pattern, file))};
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: {
        const QString where = QFileInfo::exists(file)
                                  ? QStringLiteral("it is not listed in %1").arg(file)
                                  : QStringLiteral("%1 does not exist").arg(file);
        return Decision{Verdict::Unknown,
                        QStringLiteral("The host key of %1 is not known: the server shows the "
                                       "%2, and %3. Compare the fingerprint with the one the "
                                       "server's administrator gives before trusting it.")
                            .arg(pattern, key, where)};
    }
    default:
        return makeError(
            ErrorCode::Unknown,
            QStringLiteral("cannot check the host key of %1 against %2").arg(pattern, file));
    }
}

QStringList KnownHosts::recordedKeyTypes(const QString& file, const QString& host, int port)
{
    QStringList types;
    auto db = loadDb(file);
    if (!db)
        return types;
    // A key that matches nothing: an entry of that type for the host then reads as a mismatch.
    const QByteArray probe("\0", 1);
    for (const QString& type : supportedKeyTypes()) {
        const int rc = checkKey(*db, host, port, knownHostKeyMask(type), probe);
        if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH || rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
            types.append(type);
    }
    return types;
}

Status KnownHosts::add(const QString& file, const PendingHostKey& key)
{
    if (key.host.isEmpty() || key.keyBlob.isEmpty() || key.keyType.isEmpty() ||
        key.keyType.contains(QLatin1Char(' ')))
        return makeError(ErrorCode::InvalidInput,
                         QStringLiteral("incomplete host key for %1").arg(key.host));
    auto decision = check(file, key.host, key.port, key.keyType, key.keyBlob);
    if (!decision)
        return decision.error();
    if (decision->verdict == Verdict::Known)
        return Ok{};
    if (decision->verdict == Verdict::Changed)
        return makeError(ErrorCode::HostKeyChanged, decision->message);

    const QFileInfo info(file);
    if (!info.dir().exists()) {
        if (!QDir().mkpath(info.absolutePath()))
            return makeError(ErrorCode::Io,
                             QStringLiteral("cannot create %1").arg(info.absolutePath()));
        QFile::setPermissions(info.absolutePath(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    // open(2) rather than QFile so a new file is never readable by others, not even briefly.
    const QByteArray path = QFile::encodeName(file);
    UniqueFd fd(::open(path.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.isValid())
        return makeError(ErrorCode::Io, QStringLiteral("cannot write %1: %2")
                                            .arg(file, QString::fromLocal8Bit(strerror(errno))));
    QByteArray line;
    struct stat st
    {};
    if (fstat(fd.get(), &st) == 0 && st.st_size > 0) {
        // Start on a fresh line when the file lacks a final newline.
        QFile existing(file);
        if (existing.open(QIODevice::ReadOnly) && existing.seek(st.st_size - 1) &&
            existing.read(1) != "\n")
            line.append('\n');
    }
    line += hostPattern(key.host, key.port).toUtf8() + ' ' + key.keyType.toUtf8() + ' ' +
            key.keyBlob.toBase64() + '\n';
    const ssize_t written = ::write(fd.get(), line.constData(), static_cast<size_t>(line.size()));
    if (written != line.size())
        return makeError(ErrorCode::Io, QStringLiteral("cannot write %1: %2")
                                            .arg(file, QString::fromLocal8Bit(strerror(errno))));
    return Ok{};
}

} // namespace doppel::ssh
