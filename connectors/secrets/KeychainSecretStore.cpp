// SPDX-License-Identifier: GPL-3.0-or-later
#include "KeychainSecretStore.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace doppel {

namespace {

// Runs a QtKeychain job to its end on this thread. The job answers through the event loop of
// the thread it lives on, so a local loop is the way to wait here; callers are never the GUI
// thread's event handlers.
void runJob(QKeychain::Job& job)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit); // a hung D-Bus call must not hang us
    job.start();
    loop.exec();
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service) : m_service(std::move(service))
{}

void KeychainSecretStore::probe()
{
    if (m_keychainWorks)
        return;
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(QStringLiteral("__doppel_probe__"));
    runJob(job);
    const bool works = job.error() == QKeychain::NoError || job.error() == QKeychain::EntryNotFound;
    m_keychainWorks = works;
    m_status = works ? QStringLiteral("Secrets are kept in the system keychain.")
                     : QStringLiteral("No keychain service answers (%1): passwords are kept in "
                                      "memory for this session only, never written to disk. Use "
                                      ".pgpass or ssh-agent to avoid typing them again.")
                           .arg(job.errorString());
    if (!works)
        qWarning("doppel: %s", qPrintable(m_status));
}

std::optional<QString> KeychainSecretStore::read(const QString& key)
{
    QMutexLocker lock(&m_mutex);
    probe();
    if (auto it = m_memory.constFind(key); it != m_memory.constEnd())
        return *it;
    if (!*m_keychainWorks)
        return std::nullopt;
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(key);
    runJob(job);
    if (job.error() != QKeychain::NoError)
        return std::nullopt;
    m_memory.insert(key, job.textData());
    return job.textData();
}

bool KeychainSecretStore::write(const QString& key, const QString& secret)
{
    QMutexLocker lock(&m_mutex);
    probe();
    m_memory.insert(key, secret);
    if (!*m_keychainWorks)
        return true;
    QKeychain::WritePasswordJob job(m_service);
    job.setKey(key);
    job.setTextData(secret);
    runJob(job);
    return job.error() == QKeychain::NoError;
}

void KeychainSecretStore::remove(const QString& key)
{
    QMutexLocker lock(&m_mutex);
    probe();
    m_memory.remove(key);
    if (!*m_keychainWorks)
        return;
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(key);
    runJob(job);
}

bool KeychainSecretStore::persistent() const
{
    QMutexLocker lock(&m_mutex);
    const_cast<KeychainSecretStore*>(this)->probe();
    return *m_keychainWorks;
}

QString KeychainSecretStore::statusMessage() const
{
    QMutexLocker lock(&m_mutex);
    const_cast<KeychainSecretStore*>(this)->probe();
    return m_status;
}

} // namespace doppel
