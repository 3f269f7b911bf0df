// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PgWireFrame.h"

#include <utility>

// Frontend (client to server) messages of protocol v3. Each type encodes itself to a complete
// frame and decodes from a Frame (checking type, truncation and trailing bytes). Plain values:
// any thread.
namespace doppel::pgwire {

struct StartupMessage
{
    std::int32_t version = kProtocolV3;
    QList<std::pair<QByteArray, QByteArray>> parameters;
    QByteArray parameter(const QByteArray& name) const;
    QByteArray encode() const;
    static Result<StartupMessage> decode(const Frame& frame);
    bool operator==(const StartupMessage&) const = default;
};

struct SslRequest
{
    QByteArray encode() const;
    bool operator==(const SslRequest&) const = default;
};

struct GssEncRequest
{
    QByteArray encode() const;
    bool operator==(const GssEncRequest&) const = default;
};

struct CancelRequest
{
    std::int32_t processId = 0;
    std::int32_t secretKey = 0;
    QByteArray encode() const;
    static Result<CancelRequest> decode(const Frame& frame);
    bool operator==(const CancelRequest&) const = default;
};

// Which startup-phase packet a frame is, from its request code.
enum class StartupKind { Startup, Ssl, GssEnc, Cancel };
Result<StartupKind> startupKind(const Frame& frame);

struct Query
{
    static constexpr char kType = 'Q';
    QByteArray sql;
    QByteArray encode() const;
    static Result<Query> decode(const Frame& frame);
    bool operator==(const Query&) const = default;
};

struct Parse
{
    static constexpr char kType = 'P';
    QByteArray name;
    QByteArray query;
    QList<std::uint32_t> parameterTypes;
    QByteArray encode() const;
    static Result<Parse> decode(const Frame& frame);
    bool operator==(const Parse&) const = default;
};

struct Bind
{
    static constexpr char kType = 'B';
    QByteArray portal;
    QByteArray statement;
    QList<std::int16_t> parameterFormats; // empty: all text; one: applies to all
    QList<std::optional<QByteArray>> parameters;
    QList<std::int16_t> resultFormats;
    // The format (0 text, 1 binary) of parameter i, following the protocol's shorthand rules.
    std::int16_t parameterFormat(qsizetype i) const;
    QByteArray encode() const;
    static Result<Bind> decode(const Frame& frame);
    bool operator==(const Bind&) const = default;
};

struct Describe
{
    static constexpr char kType = 'D';
    char kind = 'S'; // 'S' statement or 'P' portal
    QByteArray name;
    QByteArray encode() const;
    static Result<Describe> decode(const Frame& frame);
    bool operator==(const Describe&) const = default;
};

struct Execute
{
    static constexpr char kType = 'E';
    QByteArray portal;
    std::int32_t maxRows = 0;
    QByteArray encode() const;
    static Result<Execute> decode(const Frame& frame);
    bool operator==(const Execute&) const = default;
};

struct Close
{
    static constexpr char kType = 'C';
    char kind = 'S';
    QByteArray name;
    QByteArray encode() const;
    static Result<Close> decode(const Frame& frame);
    bool operator==(const Close&) const = default;
};

struct Sync
{
    static constexpr char kType = 'S';
    QByteArray encode() const;
    static Result<Sync> decode(const Frame& frame);
    bool operator==(const Sync&) const = default;
};

struct Flush
{
    static constexpr char kType = 'H';
    QByteArray encode() const;
    static Result<Flush> decode(const Frame& frame);
    bool operator==(const Flush&) const = default;
};

struct Terminate
{
    static constexpr char kType = 'X';
    QByteArray encode() const;
    static Result<Terminate> decode(const Frame& frame);
    bool operator==(const Terminate&) const = default;
};

// CopyData and CopyDone travel in both directions.
struct CopyData
{
    static constexpr char kType = 'd';
    QByteArray data;
    QByteArray encode() const;
    static Result<CopyData> decode(const Frame& frame);
    bool operator==(const CopyData&) const = default;
};

struct CopyDone
{
    static constexpr char kType = 'c';
    QByteArray encode() const;
    static Result<CopyDone> decode(const Frame& frame);
    bool operator==(const CopyDone&) const = default;
};

struct CopyFail
{
    static constexpr char kType = 'f';
    QByteArray message;
    QByteArray encode() const;
    static Result<CopyFail> decode(const Frame& frame);
    bool operator==(const CopyFail&) const = default;
};

// 'p' carries a password, SASL or GSS response; which one depends on the authentication
// request that came before, so each has its own decoder.
struct PasswordMessage
{
    static constexpr char kType = 'p';
    QByteArray password;
    QByteArray encode() const;
    static Result<PasswordMessage> decode(const Frame& frame);
    bool operator==(const PasswordMessage&) const = default;
};

struct SaslInitialResponse
{
    static constexpr char kType = 'p';
    QByteArray mechanism;
    std::optional<QByteArray> data;
    QByteArray encode() const;
    static Result<SaslInitialResponse> decode(const Frame& frame);
    bool operator==(const SaslInitialResponse&) const = default;
};

struct SaslResponse
{
    static constexpr char kType = 'p';
    QByteArray data;
    QByteArray encode() const;
    static Result<SaslResponse> decode(const Frame& frame);
    bool operator==(const SaslResponse&) const = default;
};

struct FunctionCall
{
    static constexpr char kType = 'F';
    std::uint32_t functionOid = 0;
    QList<std::int16_t> argumentFormats;
    QList<std::optional<QByteArray>> arguments;
    std::int16_t resultFormat = 0;
    QByteArray encode() const;
    static Result<FunctionCall> decode(const Frame& frame);
    bool operator==(const FunctionCall&) const = default;
};

// True for every type byte a frontend may send after startup.
bool isFrontendType(char type);

// Checks the frame's type byte against `expected`.
Status expectType(const Frame& frame, char expected, const char* name);

} // namespace doppel::pgwire
