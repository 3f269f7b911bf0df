// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProxyConfig.h"

#include "postgres/Conninfo.h"

#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>
#include <QSettings>

#include <libpq-fe.h>

#include <algorithm>
#include <thread>

namespace doppel::proxy {

int defaultWorkers()
{
    return std::max(1, int(std::thread::hardware_concurrency() / 4));
}

namespace {

const QStringList kValueOptions = {
    QStringLiteral("listen"),
    QStringLiteral("upstream"),
    QStringLiteral("shadow"),
    QStringLiteral("mirror-rate"),
    QStringLiteral("capture-dir"),
    QStringLiteral("admin-user"),
    QStringLiteral("config"),
    QStringLiteral("workers"),
    QStringLiteral("max-message-size"),
    QStringLiteral("fsync"),
    QStringLiteral("segment-size"),
    QStringLiteral("segment-seconds"),
    QStringLiteral("drain-timeout"),
    QStringLiteral("metrics-listen"),
    QStringLiteral("redact"),
    QStringLiteral("mirror-by"),
    QStringLiteral("mirror-writes"),
    QStringLiteral("mirror-queue"),
    QStringLiteral("check-results"),
    QStringLiteral("shadow-slot"),
    QStringLiteral("critical-fingerprint"),
    QStringLiteral("tls-cert"),
    QStringLiteral("tls-key"),
    QStringLiteral("tls-require"),
};

// Settings that may be given several times and accumulate; the command line's replace the
// file's.
const QStringList kListOptions = {QStringLiteral("admin-user"),
                                  QStringLiteral("critical-fingerprint")};

// libpg_query's fingerprint as doppelctl capture stats prints it: 64 bits in 16 hex digits.
bool isFingerprint(const QString& value)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{16}$"));
    return hex.match(value).hasMatch();
}

bool isTrue(const QString& v)
{
    return v == QLatin1String("true") || v == QLatin1String("on") || v == QLatin1String("yes");
}

bool isBoolean(const QString& v)
{
    return isTrue(v) || v == QLatin1String("false") || v == QLatin1String("off") ||
           v == QLatin1String("no");
}

Error invalid(const QString& message)
{
    return makeError(ErrorCode::InvalidInput, message);
}

Status apply(ProxyConfig& c, const QString& key, const QString& value)
{
    bool ok = true;
    if (key == QLatin1String("listen")) {
        const int colon = value.lastIndexOf(QLatin1Char(':'));
        const int port = colon > 0 ? value.mid(colon + 1).toInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 0 || port > 65535)
            return invalid(QStringLiteral("--listen takes HOST:PORT, not '%1'").arg(value));
        c.listenHost = value.left(colon);
        c.listenPort = port;
    } else if (key == QLatin1String("metrics-listen")) {
        const int colon = value.lastIndexOf(QLatin1Char(':'));
        const int port = colon > 0 ? value.mid(colon + 1).toInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 0 || port > 65535)
            return invalid(QStringLiteral("--metrics-listen takes HOST:PORT, not '%1'").arg(value));
        c.metricsHost = value.left(colon);
        c.metricsPort = port;
    } else if (key == QLatin1String("redact")) {
        const QString v = value.toLower();
        if (!isBoolean(v))
            return invalid(QStringLiteral("redact takes true or false, not '%1'").arg(value));
        c.redact = isTrue(v);
    } else if (key == QLatin1String("tls-require")) {
        const QString v = value.toLower();
        if (!isBoolean(v))
            return invalid(QStringLiteral("tls-require takes true or false, not '%1'").arg(value));
        c.tlsRequire = isTrue(v);
    } else if (key == QLatin1String("tls-cert")) {
        c.tlsCert = value;
    } else if (key == QLatin1String("tls-key")) {
        c.tlsKey = value;
    } else if (key == QLatin1String("mirror-writes")) {
        const QString v = value.toLower();
        if (!isBoolean(v))
            return invalid(
                QStringLiteral("mirror-writes takes true or false, not '%1'").arg(value));
        c.mirrorWrites = isTrue(v);
    } else if (key == QLatin1String("mirror-by")) {
        if (value != QLatin1String("session") && value != QLatin1String("statement"))
            return invalid(
                QStringLiteral("--mirror-by takes session or statement, not '%1'").arg(value));
        c.mirrorByStatement = value == QLatin1String("statement");
    } else if (key == QLatin1String("mirror-queue")) {
        c.mirrorQueue = value.toInt(&ok);
        if (!ok || c.mirrorQueue < 1 || c.mirrorQueue > 1000000)
            return invalid(
                QStringLiteral("--mirror-queue takes a statement count from 1 to 1000000, not '%1'")
                    .arg(value));
    } else if (key == QLatin1String("upstream")) {
        c.upstream = value;
    } else if (key == QLatin1String("shadow")) {
        c.shadow = value;
    } else if (key == QLatin1String("mirror-rate")) {
        c.mirrorRate = value.toDouble(&ok);
        if (!ok || c.mirrorRate < 0 || c.mirrorRate > 1)
            return invalid(
                QStringLiteral("--mirror-rate takes a number from 0 to 1, not '%1'").arg(value));
    } else if (key == QLatin1String("check-results")) {
        c.checkResults = value.toDouble(&ok);
        if (!ok || c.checkResults < 0 || c.checkResults > 1)
            return invalid(
                QStringLiteral("--check-results takes a number from 0 to 1, not '%1'").arg(value));
    } else if (key == QLatin1String("shadow-slot")) {
        if (value.isEmpty())
            return invalid(QStringLiteral("--shadow-slot takes a replication slot name"));
        c.shadowSlot = value;
    } else if (key == QLatin1String("critical-fingerprint")) {
        // Comma-separated lists too (a command-line value; the INI reader splits its own).
        for (const QString& item : value.split(QLatin1Char(','))) {
            const QString fp = item.trimmed().toLower();
            if (!isFingerprint(fp))
                return invalid(QStringLiteral("--critical-fingerprint takes a statement "
                                              "fingerprint, 16 hex digits as 'doppelctl capture "
                                              "stats --json' prints it, not '%1'")
                                   .arg(item.trimmed()));
            if (!c.criticalFingerprints.contains(fp))
                c.criticalFingerprints << fp;
        }
    } else if (key == QLatin1String("capture-dir")) {
        c.captureDir = value;
    } else if (key == QLatin1String("admin-user")) {
        c.adminUsers << value;
    } else if (key == QLatin1String("workers")) {
        c.workers = value.toInt(&ok);
        if (!ok || c.workers < 1 || c.workers > 64)
            return invalid(QStringLiteral("--workers takes 1 to 64, not '%1'").arg(value));
    } else if (key == QLatin1String("max-message-size")) {
        const qint64 v = value.toLongLong(&ok);
        if (!ok || v < 1024 || v > (1ll << 30))
            return invalid(QStringLiteral("--max-message-size takes 1024 to 1073741824 bytes, "
                                          "not '%1'")
                               .arg(value));
        c.maxMessageSize = std::uint32_t(v);
    } else if (key == QLatin1String("fsync")) {
        auto p = parseFsyncPolicy(value);
        if (!p)
            return p.error();
        c.fsync = *p;
    } else if (key == QLatin1String("segment-size")) {
        c.segmentBytes = value.toLongLong(&ok);
        if (!ok || c.segmentBytes < 4096)
            return invalid(QStringLiteral("--segment-size takes at least 4096 bytes"));
    } else if (key == QLatin1String("segment-seconds")) {
        c.segmentSeconds = value.toInt(&ok);
        if (!ok || c.segmentSeconds < 1)
            return invalid(QStringLiteral("--segment-seconds takes a positive number"));
    } else if (key == QLatin1String("drain-timeout")) {
        c.drainSeconds = value.toInt(&ok);
        if (!ok || c.drainSeconds < 0)
            return invalid(QStringLiteral("--drain-timeout takes seconds (0 or more)"));
    } else {
        return invalid(QStringLiteral("unknown setting '%1'").arg(key));
    }
    return Ok{};
}

using Pairs = QList<std::pair<QString, QString>>;

Result<Pairs> splitArguments(const QStringList& args)
{
    Pairs out;
    for (int i = 0; i < args.size(); ++i) {
        QString a = args[i];
        if (!a.startsWith(QLatin1String("--")))
            return invalid(QStringLiteral("unexpected argument '%1'").arg(a));
        a = a.mid(2);
        QString value;
        if (const int eq = a.indexOf(QLatin1Char('=')); eq >= 0) {
            value = a.mid(eq + 1);
            a = a.left(eq);
        } else if (a == QLatin1String("redact") || a == QLatin1String("mirror-writes") ||
                   a == QLatin1String("tls-require")) {
            value = QStringLiteral("true"); // a switch on the command line
        } else {
            if (!kValueOptions.contains(a))
                return invalid(QStringLiteral("unknown option --%1").arg(a));
            if (i + 1 >= args.size())
                return invalid(QStringLiteral("--%1 needs a value").arg(a));
            value = args[++i];
        }
        if (!kValueOptions.contains(a))
            return invalid(QStringLiteral("unknown option --%1").arg(a));
        out.append({a, value});
    }
    return out;
}

Result<Pairs> readIni(const QString& path)
{
    if (!QFileInfo(path).isReadable())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("cannot read config file %1").arg(path));
    QSettings ini(path, QSettings::IniFormat);
    if (ini.status() != QSettings::NoError)
        return invalid(QStringLiteral("config file %1 is not valid INI").arg(path));
    Pairs out;
    // Keys may sit at top level or under [proxy]; admin-user and critical-fingerprint may list
    // several, comma-separated.
    for (const QString& full : ini.allKeys()) {
        QString key = full;
        if (key.startsWith(QLatin1String("proxy/")))
            key = key.mid(6);
        if (key == QLatin1String("config") || !kValueOptions.contains(key))
            return invalid(QStringLiteral("%1: unknown setting '%2'").arg(path, full));
        const QVariant v = ini.value(full);
        const QStringList values =
            v.typeId() == QMetaType::QStringList ? v.toStringList() : QStringList{v.toString()};
        for (const QString& value : values)
            out.append({key, value.trimmed()});
    }
    return out;
}

// libpq's defaults for the files: ~/.postgresql/root.crt, postgresql.crt, postgresql.key.
Status resolveUpstreamTls(UpstreamTls& tls, const QString& sslmode, const QString& host)
{
    static const QMap<QString, UpstreamTls::Mode> modes = {
        {QStringLiteral("disable"), UpstreamTls::Mode::Disable},
        {QStringLiteral("allow"), UpstreamTls::Mode::Disable},
        {QStringLiteral("prefer"), UpstreamTls::Mode::Prefer},
        {QStringLiteral("require"), UpstreamTls::Mode::Require},
        {QStringLiteral("verify-ca"), UpstreamTls::Mode::VerifyCa},
        {QStringLiteral("verify-full"), UpstreamTls::Mode::VerifyFull},
    };
    const QString mode = sslmode.isEmpty() ? QStringLiteral("prefer") : sslmode;
    if (!modes.contains(mode))
        return invalid(QStringLiteral("invalid sslmode '%1' in --upstream").arg(sslmode));
    tls.mode = modes.value(mode);
    tls.host = host;
    const QString home = QDir::homePath() + QStringLiteral("/.postgresql/");
    if (tls.rootCert.isEmpty() && QFileInfo::exists(home + QStringLiteral("root.crt")))
        tls.rootCert = home + QStringLiteral("root.crt");
    if (tls.cert.isEmpty())
        tls.cert = home + QStringLiteral("postgresql.crt");
    if (tls.key.isEmpty())
        tls.key = home + QStringLiteral("postgresql.key");
    return Ok{};
}

Status resolveUpstream(ProxyConfig& c)
{
    if (c.upstream.isEmpty())
        return invalid(QStringLiteral("--upstream CONNINFO is required"));
    auto effective = pg::Conninfo::effective(c.upstream);
    if (!effective)
        return effective.error();
    QString host;
    QString hostaddr;
    QString port;
    QString sslmode;
    UpstreamTls& tls = c.upstreamTls;
    for (const auto& [k, v] : *effective) {
        if (k == QLatin1String("host"))
            host = v;
        else if (k == QLatin1String("hostaddr"))
            hostaddr = v;
        else if (k == QLatin1String("port"))
            port = v;
        else if (k == QLatin1String("sslmode"))
            sslmode = v;
        else if (k == QLatin1String("sslrootcert"))
            tls.rootCert = v;
        else if (k == QLatin1String("sslcert"))
            tls.cert = v;
        else if (k == QLatin1String("sslkey"))
            tls.key = v;
        else if (k == QLatin1String("sslsni"))
            tls.sni = v != QLatin1String("0");
        else if (k == QLatin1String("user"))
            c.upstreamUser = v;
        else if (k == QLatin1String("dbname"))
            c.upstreamDatabase = v;
    }
    if (c.upstreamDatabase.isEmpty())
        c.upstreamDatabase = QStringLiteral("postgres");
    if (host.contains(QLatin1Char(',')) || hostaddr.contains(QLatin1Char(',')))
        return invalid(QStringLiteral("--upstream with several hosts is not supported yet"));
    c.upstreamHost = !hostaddr.isEmpty() ? hostaddr
                     : !host.isEmpty()   ? host
                                         : QStringLiteral("/var/run/postgresql");
    if (auto st = resolveUpstreamTls(tls, sslmode, host.isEmpty() ? c.upstreamHost : host); !st)
        return st;
    // As libpq: no TLS over a Unix-domain socket.
    if (c.upstreamHost.startsWith(QLatin1Char('/'))) {
        if (tls.required())
            return invalid(QStringLiteral("sslmode=%1 cannot be used with a Unix-domain socket "
                                          "upstream (%2)")
                               .arg(sslmode, c.upstreamHost));
        tls.mode = UpstreamTls::Mode::Disable;
    }
    bool ok = true;
    c.upstreamPort = port.isEmpty() ? 5432 : port.toInt(&ok);
    if (!ok || c.upstreamPort <= 0 || c.upstreamPort > 65535)
        return invalid(QStringLiteral("invalid upstream port '%1'").arg(port));
    return Ok{};
}

Status checkTls(const ProxyConfig& c)
{
    if (c.tlsCert.isEmpty() != c.tlsKey.isEmpty())
        return invalid(QStringLiteral("--tls-cert and --tls-key go together"));
    if (c.tlsRequire && c.tlsCert.isEmpty())
        return invalid(QStringLiteral("--tls-require needs --tls-cert and --tls-key"));
    return Ok{};
}

Status checkMirror(const ProxyConfig& c)
{
    if (c.shadow.isEmpty()) {
        if (c.mirrorRate > 0)
            return invalid(QStringLiteral("--mirror-rate needs --shadow CONNINFO"));
        if (c.checkResults > 0 || !c.shadowSlot.isEmpty())
            return invalid(QStringLiteral("--check-results and --shadow-slot need --shadow"));
        if (!c.criticalFingerprints.isEmpty())
            return invalid(QStringLiteral("--critical-fingerprint needs --shadow"));
        return Ok{};
    }
    QString parseError;
    if (!shadowConninfoValid(c.shadow, &parseError))
        return invalid(QStringLiteral("invalid --shadow conninfo: %1").arg(parseError));
    return Ok{};
}

Result<ProxyConfig> build(const QStringList& args, const ProxyConfig* base)
{
    auto pairs = splitArguments(args);
    if (!pairs)
        return pairs.error();
    ProxyConfig c;
    for (const auto& [k, v] : *pairs)
        if (k == QLatin1String("config"))
            c.configFile = v;
    if (base)
        c.configFile = base->configFile;
    if (!c.configFile.isEmpty()) {
        auto ini = readIni(c.configFile);
        if (!ini)
            return ini.error();
        for (const auto& [k, v] : *ini)
            if (auto st = apply(c, k, v); !st)
                return makeError(st.error().code,
                                 c.configFile + QStringLiteral(": ") + st.error().message);
    }
    QStringList listsFromCommandLine;
    for (const auto& [k, v] : *pairs) {
        if (k == QLatin1String("config"))
            continue;
        if (kListOptions.contains(k) && !listsFromCommandLine.contains(k)) {
            // The command line replaces the file's list.
            if (k == QLatin1String("admin-user"))
                c.adminUsers.clear();
            else
                c.criticalFingerprints.clear();
            listsFromCommandLine << k;
        }
        if (auto st = apply(c, k, v); !st)
            return st.error();
    }
    if (c.listenPort < 0 && !base)
        return invalid(QStringLiteral("--listen HOST:PORT is required"));
    if (auto st = resolveUpstream(c); !st)
        return st.error();
    if (auto st = checkMirror(c); !st)
        return st.error();
    if (auto st = checkTls(c); !st)
        return st.error();
    return c;
}

} // namespace

Result<ProxyConfig> parseProxyArguments(const QStringList& args)
{
    return build(args, nullptr);
}

Result<ProxyConfig> reloadProxyConfig(const ProxyConfig& current, const QStringList& args)
{
    auto c = build(args, &current);
    if (c && c->listenPort < 0)
        c->listenPort = current.listenPort;
    return c;
}

QString proxyUsage()
{
    return QStringLiteral(
        "Usage: doppel-proxy --listen HOST:PORT --upstream CONNINFO [--shadow CONNINFO]\n"
        "                    [--mirror-rate R] [--capture-dir DIR] [--admin-user NAME]...\n"
        "                    [--config FILE]\n"
        "  more: [--workers N] [--max-message-size BYTES] [--fsync none|interval|always]\n"
        "        (--workers: epoll threads, default one per four cores, at least one)\n"
        "        [--segment-size BYTES] [--segment-seconds S] [--drain-timeout S]\n"
        "        [--metrics-listen HOST:PORT]  (Prometheus text format at any path)\n"
        "        [--tls-cert FILE --tls-key FILE] [--tls-require]  (TLS for clients; the\n"
        "        upstream conninfo's sslmode, sslrootcert, sslcert, sslkey set TLS upstream)\n"
        "        [--redact]  (capture normalized statements only, no parameter values)\n"
        "        [--mirror-by session|statement] [--mirror-writes] [--mirror-queue N]\n"
        "        (--mirror-rate R of the read-only statements go to --shadow; N statements\n"
        "        wait per mirrored session, whole transactions are dropped beyond that)\n"
        "        [--critical-fingerprint FP]...  (FP as 'doppelctl capture stats --json'\n"
        "        prints it; a comma-separated list too: a transaction holding such a statement\n"
        "        gets into a full mirror queue by evicting queued transactions that hold none,\n"
        "        oldest first)\n"
        "        [--check-results R] [--shadow-slot NAME]\n"
        "        (R of the mirrored reads outside transaction blocks have their result rows\n"
        "        hashed on both sides; with the slot that feeds the shadow, a read is compared\n"
        "        only once the shadow applied production's WAL of that moment, which the\n"
        "        proxy polls over the --upstream conninfo)\n"
        "The INI file holds the same keys (listen=..., upstream=..., capture-dir=...).\n"
        "SIGHUP re-reads it; SIGTERM stops accepting, lets sessions finish and exits.\n");
}

bool shadowConninfoValid(const QString& conninfo, QString* error)
{
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.toUtf8().constData(), &message);
    if (!options) {
        if (error)
            *error =
                message ? QString::fromUtf8(message).trimmed() : QStringLiteral("out of memory");
        PQfreemem(message);
        return false;
    }
    PQconninfoFree(options);
    return true;
}

} // namespace doppel::proxy
