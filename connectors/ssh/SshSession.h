// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/CancelToken.h"
#include "common/Result.h"
#include "inventory/Host.h"
#include "services/HostServices.h"

#include <QByteArray>
#include <QString>

#include <QList>

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

namespace doppel::ssh {

// How to open one SSH session. Secrets come from the caller (read from the SecretStore).
struct SshOptions
{
    SshEndpoint endpoint;
    QString password;                         // SshAuth::Password
    QString passphrase;                       // SshAuth::Key, when the key is encrypted
    std::chrono::milliseconds timeout{10000}; // connect, handshake and each blocking call
    int keepaliveSeconds = 30;
};

// One entry of a remote directory listing.
struct RemoteFileInfo
{
    QString name;
    qint64 size = -1;         // -1 when the server did not say
    qint64 modifiedSecs = -1; // seconds since the epoch
    bool regular = true;      // false for directories, links and the like
};

struct ExecResult
{
    QByteArray out;
    QByteArray err;
    int exitCode = -1;
};

// One authenticated SSH session (libssh2), host key verified against known_hosts before any
// authentication. Owned and used by one thread at a time; the object may move between threads.
class SshSession
{
public:
    // Fails with Refused, Timeout, HostKeyUnknown (unknown key: nothing was sent beyond the
    // handshake), HostKeyChanged (refused, never accepted), Auth, Cancelled.
    static Result<std::unique_ptr<SshSession>> connect(const SshOptions& options,
                                                       const CancelToken& cancel = {});
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    Result<ExecResult> exec(const QString& command);
    // SFTP read of a whole file, up to maxBytes (larger files are an InvalidInput error).
    Result<QByteArray> readFile(const QString& remotePath, qint64 maxBytes = 64 * 1024 * 1024);
    // SFTP read of up to `maxBytes` from `offset` of a file: fewer at its end, none past it.
    Result<QByteArray> readRange(const QString& remotePath, qint64 offset, qint64 maxBytes);
    // SFTP listing of a directory ("." and ".." included, as the server sends them).
    Result<QList<RemoteFileInfo>> listDirectory(const QString& remotePath);
    // SFTP copy of a file of any size to `localPath` (written atomically, mode 0600);
    // `progress` gets the bytes copied so far; `cancel` is checked between chunks.
    Status download(const QString& remotePath, const QString& localPath,
                    const std::function<void(qint64)>& progress, const CancelToken& cancel);
    // Sends a keepalive if one is due; an error means the session is gone.
    Status keepalive();
    bool isAlive() const;

    QString hostKeyType() const;
    QString hostKeyFingerprint() const; // "SHA256:<base64 without padding>", as OpenSSH prints

    struct Impl;

private:
    explicit SshSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// A session that reconnects once when the previous one died (network blip, sshd restart).
// One thread at a time.
class SshClient
{
public:
    explicit SshClient(SshOptions options);
    ~SshClient();
    Result<ExecResult> exec(const QString& command, const CancelToken& cancel = {});
    Result<QByteArray> readFile(const QString& remotePath, const CancelToken& cancel = {});
    Result<QByteArray> readRange(const QString& remotePath, qint64 offset, qint64 maxBytes,
                                 const CancelToken& cancel = {});
    Result<QList<RemoteFileInfo>> listDirectory(const QString& remotePath,
                                                const CancelToken& cancel = {});

private:
    Status ensureSession(const CancelToken& cancel);
    // Runs `call` on the session, on a new one once if the kept one died meanwhile.
    template <typename Call>
    auto retrying(const CancelToken& cancel, Call call)
        -> decltype(call(std::declval<SshSession&>()));
    SshOptions m_options;
    std::unique_ptr<SshSession> m_session;
};

// Connects far enough to learn the server's host key, without authenticating, for the user to
// decide on an unknown key.
Result<PendingHostKey> fetchHostKey(const SshEndpoint& endpoint, std::chrono::milliseconds timeout);

// The known_hosts file an endpoint uses: its own, or ~/.ssh/known_hosts.
QString knownHostsPath(const SshEndpoint& endpoint);

} // namespace doppel::ssh
