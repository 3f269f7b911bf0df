// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssh/SshSessionImpl.h"

#include <QFileInfo>

#include <cstdlib>
#include <cstring>

namespace doppel::ssh {

namespace {

// Answers every keyboard-interactive prompt with the password (sshd with PAM asks
// "Password:" this way). libssh2 frees the answers with free().
void answerWithPassword(const char*, int, const char*, int, int promptCount,
                        const LIBSSH2_USERAUTH_KBDINT_PROMPT*,
                        LIBSSH2_USERAUTH_KBDINT_RESPONSE* responses, void** abstract)
{
    const auto* impl = static_cast<const SshSession::Impl*>(*abstract);
    if (!impl || !impl->m_kbdPassword)
        return;
    const QByteArray& password = *impl->m_kbdPassword;
    for (int i = 0; i < promptCount; ++i) {
        responses[i].text = static_cast<char*>(std::malloc(password.size() + 1));
        if (!responses[i].text)
            return;
        std::memcpy(responses[i].text, password.constData(), password.size() + 1);
        responses[i].length = static_cast<unsigned int>(password.size());
    }
}

// One authentication attempt's context: the session, the user and the methods sshd offers.
struct Attempt
{
    SshSession::Impl& impl;
    QByteArray user;
    QStringList methods;

    LIBSSH2_SESSION* session() const { return impl.session(); }
    unsigned int userLength() const { return static_cast<unsigned int>(user.size()); }
    QString offered() const { return methods.join(QStringLiteral(", ")); }
    Error refused(const QString& method) const
    {
        return makeError(ErrorCode::Auth,
                         QStringLiteral("SSH authentication as %1 failed: the server does not "
                                        "accept %2 (it offers: %3)")
                             .arg(impl.userAtTarget(), method, offered()));
    }
    // Timeouts and lost connections keep their own codes; everything else is Auth.
    Error failed(const QString& what) { return impl.lastError(ErrorCode::Auth, what); }
    bool fatal() const
    {
        const int code = lastErrorCode(impl.session());
        return code == LIBSSH2_ERROR_TIMEOUT || isConnectionLost(code);
    }
};

Status withKey(Attempt& a, const SshOptions& options)
{
    const QString& keyFile = options.endpoint.keyFile;
    const QString what = QStringLiteral("SSH authentication as %1 with key %2 failed")
                             .arg(a.impl.userAtTarget(), keyFile);
    if (keyFile.isEmpty())
        return makeError(ErrorCode::Auth,
                         QStringLiteral("SSH authentication as %1: no key file is configured")
                             .arg(a.impl.userAtTarget()));
    if (!QFileInfo(keyFile).isReadable())
        return makeError(ErrorCode::Auth,
                         QStringLiteral("%1: the key file cannot be read").arg(what));
    if (!a.methods.contains(QStringLiteral("publickey")))
        return a.refused(QStringLiteral("keys"));
    const QByteArray privateKey = QFile::encodeName(keyFile);
    // Without the .pub file libssh2 derives the public key from the private one.
    const QByteArray publicKey = QFileInfo::exists(keyFile + QStringLiteral(".pub"))
                                     ? QFile::encodeName(keyFile + QStringLiteral(".pub"))
                                     : QByteArray();
    const QByteArray passphrase = options.passphrase.toUtf8();
    const int rc = libssh2_userauth_publickey_fromfile_ex(
        a.session(), a.user.constData(), a.userLength(),
        publicKey.isEmpty() ? nullptr : publicKey.constData(), privateKey.constData(),
        passphrase.constData());
    if (rc == 0)
        return Ok{};
    return a.failed(what);
}

Status withAgent(Attempt& a, const CancelToken& cancel)
{
    const QByteArray socketPath = qgetenv("SSH_AUTH_SOCK");
    if (socketPath.isEmpty())
        return makeError(ErrorCode::Auth, QStringLiteral("SSH authentication as %1 failed: no "
                                                         "ssh-agent: SSH_AUTH_SOCK is not set")
                                              .arg(a.impl.userAtTarget()));
    if (!a.methods.contains(QStringLiteral("publickey")))
        return a.refused(QStringLiteral("keys"));
    const QString agentName =
        QStringLiteral("the ssh-agent at %1").arg(QString::fromLocal8Bit(socketPath));
    AgentPtr agent(libssh2_agent_init(a.session()));
    if (!agent)
        return makeError(ErrorCode::Unknown, QStringLiteral("libssh2: out of memory"));
    libssh2_agent_set_identity_path(agent.get(), socketPath.constData());
    if (libssh2_agent_connect(agent.get()) != 0)
        return a.failed(QStringLiteral("SSH authentication as %1 failed: cannot reach %2")
                            .arg(a.impl.userAtTarget(), agentName));
    if (libssh2_agent_list_identities(agent.get()) != 0)
        return a.failed(QStringLiteral("SSH authentication as %1 failed: cannot list the keys "
                                       "of %2")
                            .arg(a.impl.userAtTarget(), agentName));
    int tried = 0;
    libssh2_agent_publickey* identity = nullptr;
    libssh2_agent_publickey* previous = nullptr;
    while (libssh2_agent_get_identity(agent.get(), &identity, previous) == 0) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled,
                             QStringLiteral("SSH to %1: cancelled").arg(a.impl.target()));
        ++tried;
        if (libssh2_agent_userauth(agent.get(), a.user.constData(), identity) == 0)
            return Ok{};
        if (a.fatal())
            return a.failed(QStringLiteral("SSH authentication as %1 with %2 failed")
                                .arg(a.impl.userAtTarget(), agentName));
        previous = identity;
    }
    if (tried == 0)
        return makeError(ErrorCode::Auth, QStringLiteral("SSH authentication as %1 failed: %2 "
                                                         "holds no keys (add one with ssh-add)")
                                              .arg(a.impl.userAtTarget(), agentName));
    Error error = a.failed(QStringLiteral("ssh-agent has no key accepted by %1 (tried %2 keys "
                                          "of %3)")
                               .arg(a.impl.userAtTarget())
                               .arg(tried)
                               .arg(agentName));
    return error;
}

Status withPassword(Attempt& a, const SshOptions& options)
{
    const QString what = QStringLiteral("SSH authentication as %1 with a password failed")
                             .arg(a.impl.userAtTarget());
    const bool password = a.methods.contains(QStringLiteral("password"));
    const bool interactive = a.methods.contains(QStringLiteral("keyboard-interactive"));
    if (!password && !interactive)
        return a.refused(QStringLiteral("passwords"));
    const QByteArray secret = options.password.toUtf8();
    if (password) {
        const int rc = libssh2_userauth_password_ex(
            a.session(), a.user.constData(), a.userLength(), secret.constData(),
            static_cast<unsigned int>(secret.size()), nullptr);
        if (rc == 0)
            return Ok{};
        if (a.fatal() || !interactive)
            return a.failed(what);
    }
    a.impl.m_kbdPassword = &secret;
    const int rc = libssh2_userauth_keyboard_interactive_ex(a.session(), a.user.constData(),
                                                            a.userLength(), &answerWithPassword);
    a.impl.m_kbdPassword = nullptr;
    if (rc == 0)
        return Ok{};
    return a.failed(what);
}

} // namespace

Status authenticate(SshSession::Impl& impl, const SshOptions& options, Clock::time_point deadline,
                    const CancelToken& cancel)
{
    Attempt attempt{impl, options.endpoint.user.toUtf8(), {}};
    impl.setTimeoutUntil(deadline);
    const char* list =
        libssh2_userauth_list(impl.session(), attempt.user.constData(), attempt.userLength());
    if (!list) {
        // sshd accepted the "none" method: nothing more to prove.
        if (libssh2_userauth_authenticated(impl.session()))
            return Ok{};
        return attempt.failed(
            QStringLiteral("SSH authentication as %1 failed").arg(impl.userAtTarget()));
    }
    attempt.methods = QString::fromLatin1(list).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (cancel.isCancelled())
        return makeError(ErrorCode::Cancelled,
                         QStringLiteral("SSH to %1: cancelled").arg(impl.target()));
    switch (options.endpoint.auth) {
    case SshAuth::Agent:
        return withAgent(attempt, cancel);
    case SshAuth::Key:
        return withKey(attempt, options);
    case SshAuth::Password:
        return withPassword(attempt, options);
    }
    return makeError(ErrorCode::InvalidInput, QStringLiteral("unknown SSH authentication method"));
}

} // namespace doppel::ssh
