// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSession.h"

namespace doppel::ssh {

namespace {

// The call failed because the session is gone, not because of what was asked.
bool sessionDied(const Error& error, const SshSession& session)
{
    return error.code == ErrorCode::Unavailable || !session.isAlive();
}

} // namespace

SshClient::SshClient(SshOptions options) : m_options(std::move(options))
{}

SshClient::~SshClient() = default;

Status SshClient::ensureSession(const CancelToken& cancel)
{
    if (m_session && m_session->isAlive())
        return Ok{};
    m_session.reset();
    auto session = SshSession::connect(m_options, cancel);
    if (!session)
        return session.error();
    m_session = std::move(session.value());
    return Ok{};
}

template <typename Call>
auto SshClient::retrying(const CancelToken& cancel, Call call)
    -> decltype(call(std::declval<SshSession&>()))
{
    const bool reused = m_session && m_session->isAlive();
    if (Status ready = ensureSession(cancel); !ready)
        return ready.error();
    auto result = call(*m_session);
    if (!result && reused && sessionDied(result.error(), *m_session)) {
        // Once: a session that died while idle (sshd restart, network blip) gets a new one.
        m_session.reset();
        if (Status ready = ensureSession(cancel); !ready)
            return ready.error();
        result = call(*m_session);
    }
    if (!result && !m_session->isAlive())
        m_session.reset();
    return result;
}

Result<ExecResult> SshClient::exec(const QString& command, const CancelToken& cancel)
{
    return retrying(cancel, [&](SshSession& s) { return s.exec(command); });
}

Result<QByteArray> SshClient::readFile(const QString& remotePath, const CancelToken& cancel)
{
    return retrying(cancel, [&](SshSession& s) { return s.readFile(remotePath); });
}

Result<QByteArray> SshClient::readRange(const QString& remotePath, qint64 offset, qint64 maxBytes,
                                        const CancelToken& cancel)
{
    return retrying(cancel,
                    [&](SshSession& s) { return s.readRange(remotePath, offset, maxBytes); });
}

Result<QList<RemoteFileInfo>> SshClient::listDirectory(const QString& remotePath,
                                                       const CancelToken& cancel)
{
    return retrying(cancel, [&](SshSession& s) { return s.listDirectory(remotePath); });
}

} // namespace doppel::ssh
