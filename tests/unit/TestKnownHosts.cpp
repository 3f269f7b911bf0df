// SPDX-License-Identifier: GPL-3.0-or-later
// KnownHosts against files OpenSSH's own tools write and read: verdicts for plain, hashed and
// "[host]:port" entries, fingerprints equal to `ssh-keygen -lf`, and add().
#include "ssh/KnownHosts.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace doppel;
using doppel::ssh::KnownHosts;

Q_DECLARE_METATYPE(doppel::ssh::KnownHosts::Verdict)

namespace {

struct GeneratedKey
{
    QString pubFile;
    QString type;      // "ssh-ed25519"
    QByteArray base64; // as in the .pub file
    QByteArray blob;   // raw key
};

} // namespace

class TestKnownHosts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void check_data();
    void check();
    void fingerprintMatchesSshKeygen_data();
    void fingerprintMatchesSshKeygen();
    void addCreatesPrivateFileThenKnown();
    void addRefusesChangedKey();
    void recordedKeyTypes();

private:
    QString run(const QStringList& args);
    GeneratedKey generate(const QString& name, const QStringList& typeArgs);
    QString writeFile(const QString& name, const QStringList& lines, bool hash);

    QTemporaryDir m_dir;
    QMap<QString, GeneratedKey> m_keys;
};

QString TestKnownHosts::run(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral("ssh-keygen"), args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        qFatal("ssh-keygen %s failed: %s", qPrintable(args.join(QLatin1Char(' '))),
               p.readAllStandardError().constData());
    return QString::fromUtf8(p.readAllStandardOutput());
}

GeneratedKey TestKnownHosts::generate(const QString& name, const QStringList& typeArgs)
{
    const QString file = m_dir.filePath(name);
    run(typeArgs + QStringList{QStringLiteral("-q"), QStringLiteral("-N"), QString(),
                               QStringLiteral("-C"), name, QStringLiteral("-f"), file});
    QFile pub(file + QStringLiteral(".pub"));
    if (!pub.open(QIODevice::ReadOnly))
        qFatal("cannot read %s.pub", qPrintable(file));
    const QList<QByteArray> fields = pub.readAll().trimmed().split(' ');
    GeneratedKey key;
    key.pubFile = pub.fileName();
    key.type = QString::fromLatin1(fields.value(0));
    key.base64 = fields.value(1);
    key.blob = QByteArray::fromBase64(key.base64);
    return key;
}

void TestKnownHosts::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString t = QStringLiteral("-t");
    m_keys[QStringLiteral("A")] =
        generate(QStringLiteral("a_ed25519"), {t, QStringLiteral("ed25519")});
    m_keys[QStringLiteral("B")] =
        generate(QStringLiteral("b_ed25519"), {t, QStringLiteral("ed25519")});
    m_keys[QStringLiteral("E")] =
        generate(QStringLiteral("e_ecdsa256"),
                 {t, QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("256")});
    m_keys[QStringLiteral("F")] =
        generate(QStringLiteral("f_ecdsa384"),
                 {t, QStringLiteral("ecdsa"), QStringLiteral("-b"), QStringLiteral("384")});
    m_keys[QStringLiteral("R")] =
        generate(QStringLiteral("r_rsa"),
                 {t, QStringLiteral("rsa"), QStringLiteral("-b"), QStringLiteral("2048")});
    QCOMPARE(m_keys[QStringLiteral("A")].type, QStringLiteral("ssh-ed25519"));
    QCOMPARE(m_keys[QStringLiteral("E")].type, QStringLiteral("ecdsa-sha2-nistp256"));
}

// Lines use %A, %B, ... for "<type> <base64>" of a generated key.
QString TestKnownHosts::writeFile(const QString& name, const QStringList& lines, bool hash)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    for (QString line : lines) {
        for (auto it = m_keys.cbegin(); it != m_keys.cend(); ++it)
            line.replace(QLatin1Char('%') + it.key(),
                         it->type + QLatin1Char(' ') + QString::fromLatin1(it->base64));
        f.write(line.toUtf8() + '\n');
    }
    f.close();
    if (hash)
        run({QStringLiteral("-H"), QStringLiteral("-f"), path});
    return path;
}

void TestKnownHosts::check_data()
{
    QTest::addColumn<QStringList>("lines"); // empty: the file does not exist
    QTest::addColumn<bool>("hashed");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("key");
    QTest::addColumn<KnownHosts::Verdict>("verdict");

    using V = KnownHosts::Verdict;
    const QString lo = QStringLiteral("127.0.0.1");
    const QString db = QStringLiteral("db1.example.org");
    QTest::newRow("known: plain entry on port 22")
        << QStringList{QStringLiteral("db1.example.org %A")} << false << db << 22 << "A"
        << V::Known;
    QTest::newRow("known: host names compare without case")
        << QStringList{QStringLiteral("db1.example.org %A")} << false
        << QStringLiteral("DB1.Example.org") << 22 << "A" << V::Known;
    QTest::newRow("known: [host]:port entry for port 2222")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %A")} << false << lo << 2222 << "A"
        << V::Known;
    QTest::newRow("known: one of several names, after comments and a CA marker")
        << QStringList{QStringLiteral("# comment"), QStringLiteral("@cert-authority *.org %B"),
                       QStringLiteral("other,db1.example.org,10.0.0.1 %A")}
        << false << db << 22 << "A" << V::Known;
    QTest::newRow("known: ecdsa key next to an ed25519 entry")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %A"), QStringLiteral("[127.0.0.1]:2222 %E")}
        << false << lo << 2222 << "E" << V::Known;
    QTest::newRow("known: hashed entry (ssh-keygen -H)")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %A")} << true << lo << 2222 << "A"
        << V::Known;
    QTest::newRow("known: hashed entry on port 22")
        << QStringList{QStringLiteral("db1.example.org %R")} << true << db << 22 << "R" << V::Known;
    QTest::newRow("unknown: host absent") << QStringList{QStringLiteral("db2.example.org %A")}
                                          << false << db << 22 << "A" << V::Unknown;
    QTest::newRow("unknown: file absent")
        << QStringList{} << false << db << 22 << "A" << V::Unknown;
    QTest::newRow("unknown: plain entry does not cover port 2222")
        << QStringList{QStringLiteral("127.0.0.1 %A")} << false << lo << 2222 << "A" << V::Unknown;
    QTest::newRow("unknown: [host]:2222 entry does not cover port 2223")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %A")} << false << lo << 2223 << "A"
        << V::Unknown;
    QTest::newRow("unknown: hashed entry of another port")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %A")} << true << lo << 22 << "A"
        << V::Unknown;
    QTest::newRow("unknown: only a key of another type recorded")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %E")} << false << lo << 2222 << "A"
        << V::Unknown;
    QTest::newRow("changed: same host on port 22, other key")
        << QStringList{QStringLiteral("db1.example.org %B")} << false << db << 22 << "A"
        << V::Changed;
    QTest::newRow("changed: same [host]:port, other key")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %B")} << false << lo << 2222 << "A"
        << V::Changed;
    QTest::newRow("changed: hashed entry, other key")
        << QStringList{QStringLiteral("[127.0.0.1]:2222 %B")} << true << lo << 2222 << "A"
        << V::Changed;
}

void TestKnownHosts::check()
{
    QFETCH(QStringList, lines);
    QFETCH(bool, hashed);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, key);
    QFETCH(KnownHosts::Verdict, verdict);

    const QString file = lines.isEmpty() ? m_dir.filePath(QStringLiteral("absent/known_hosts"))
                                         : writeFile(QStringLiteral("known_hosts"), lines, hashed);
    if (hashed) {
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray content = written.readAll();
        QVERIFY2(content.startsWith("|1|") && !content.contains(host.toLower().toUtf8()),
                 content.constData());
    }
    const GeneratedKey& k = m_keys[key];
    auto decision = KnownHosts::check(file, host, port, k.type, k.blob);
    QVERIFY2(decision.ok(), qPrintable(decision.ok() ? QString() : decision.error().toString()));
    QCOMPARE(decision->verdict, verdict);
    const QString& message = decision->message;
    QVERIFY2(message.contains(KnownHosts::fingerprint(k.blob)), qPrintable(message));
    QVERIFY2(message.contains(file), qPrintable(message));
    QVERIFY2(message.contains(KnownHosts::hostPattern(host, port)), qPrintable(message));
    if (verdict == KnownHosts::Verdict::Changed) {
        QVERIFY2(message.contains(QStringLiteral("CHANGED")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("ssh-keygen -R")), qPrintable(message));
    }
    if (verdict == KnownHosts::Verdict::Unknown)
        QVERIFY2(message.contains(k.type), qPrintable(message));
}

void TestKnownHosts::fingerprintMatchesSshKeygen_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("ssh-ed25519") << "A";
    QTest::newRow("another ssh-ed25519") << "B";
    QTest::newRow("ecdsa-sha2-nistp256") << "E";
    QTest::newRow("ecdsa-sha2-nistp384") << "F";
    QTest::newRow("ssh-rsa 2048") << "R";
}

void TestKnownHosts::fingerprintMatchesSshKeygen()
{
    QFETCH(QString, key);
    const GeneratedKey& k = m_keys[key];
    // "256 SHA256:abc... comment (ED25519)"
    const QString printed =
        run({QStringLiteral("-E"), QStringLiteral("sha256"), QStringLiteral("-lf"), k.pubFile})
            .section(QLatin1Char(' '), 1, 1);
    QVERIFY2(printed.startsWith(QStringLiteral("SHA256:")), qPrintable(printed));
    QCOMPARE(KnownHosts::fingerprint(k.blob), printed);
}

void TestKnownHosts::addCreatesPrivateFileThenKnown()
{
    const QString file = m_dir.filePath(QStringLiteral("new-ssh-dir/known_hosts"));
    const GeneratedKey& k = m_keys[QStringLiteral("A")];
    PendingHostKey pending{QStringLiteral("127.0.0.1"), 2222, k.type,
                           KnownHosts::fingerprint(k.blob), k.blob};
    auto before = KnownHosts::check(file, pending.host, pending.port, k.type, k.blob);
    QVERIFY(before.ok());
    QCOMPARE(before->verdict, KnownHosts::Verdict::Unknown);

    Status added = KnownHosts::add(file, pending);
    QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().toString()));
    struct stat st
    {};
    QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QCOMPARE(::stat(QFile::encodeName(QFileInfo(file).absolutePath()).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);

    auto after = KnownHosts::check(file, pending.host, pending.port, k.type, k.blob);
    QVERIFY(after.ok());
    QCOMPARE(after->verdict, KnownHosts::Verdict::Known);
    // OpenSSH finds the line too.
    const QString found =
        run({QStringLiteral("-F"), QStringLiteral("[127.0.0.1]:2222"), QStringLiteral("-f"), file});
    QVERIFY2(found.contains(QString::fromLatin1(k.base64)), qPrintable(found));

    // Adding a known key again changes nothing.
    QVERIFY(KnownHosts::add(file, pending).ok());
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll().count('\n'), 1);
}

void TestKnownHosts::addRefusesChangedKey()
{
    const QString file =
        writeFile(QStringLiteral("changed_hosts"), {QStringLiteral("[127.0.0.1]:2222 %B")}, false);
    // No final newline: an appended line must still start on its own line.
    const GeneratedKey& k = m_keys[QStringLiteral("A")];
    Status changed = KnownHosts::add(
        file, PendingHostKey{QStringLiteral("127.0.0.1"), 2222, k.type, {}, k.blob});
    QVERIFY(!changed.ok());
    QCOMPARE(changed.error().code, ErrorCode::HostKeyChanged);

    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.resize(f.size() - 1);
    f.close();
    const GeneratedKey& e = m_keys[QStringLiteral("E")];
    QVERIFY(
        KnownHosts::add(file, PendingHostKey{QStringLiteral("127.0.0.1"), 2222, e.type, {}, e.blob})
            .ok());
    auto both = KnownHosts::check(file, QStringLiteral("127.0.0.1"), 2222, e.type, e.blob);
    QVERIFY(both.ok());
    QCOMPARE(both->verdict, KnownHosts::Verdict::Known);
    auto old =
        KnownHosts::check(file, QStringLiteral("127.0.0.1"), 2222, m_keys[QStringLiteral("B")].type,
                          m_keys[QStringLiteral("B")].blob);
    QVERIFY(old.ok());
    QCOMPARE(old->verdict, KnownHosts::Verdict::Known);
}

void TestKnownHosts::recordedKeyTypes()
{
    const QString file =
        writeFile(QStringLiteral("recorded_hosts"),
                  {QStringLiteral("[127.0.0.1]:2222 %A"), QStringLiteral("[127.0.0.1]:2222 %E"),
                   QStringLiteral("127.0.0.1 %R"), QStringLiteral("[127.0.0.1]:2223 %F")},
                  true);
    QStringList types = KnownHosts::recordedKeyTypes(file, QStringLiteral("127.0.0.1"), 2222);
    types.sort();
    QCOMPARE(types,
             (QStringList{QStringLiteral("ecdsa-sha2-nistp256"), QStringLiteral("ssh-ed25519")}));
    QCOMPARE(KnownHosts::recordedKeyTypes(file, QStringLiteral("127.0.0.1"), 22),
             QStringList{QStringLiteral("ssh-rsa")});
    QVERIFY(KnownHosts::recordedKeyTypes(file, QStringLiteral("10.1.1.1"), 22).isEmpty());
}

QTEST_GUILESS_MAIN(TestKnownHosts)
#include "TestKnownHosts.moc"
