// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "PgWireFrontend.h"

// Backend (server to client) messages of protocol v3; same conventions as PgWireFrontend.h.
namespace doppel::pgwire {

// Every Authentication* request: the code selects the variant and `data` holds what follows
// (the MD5 salt, the SASL mechanism list, SASL challenge/outcome data).
struct Authentication
{
    static constexpr char kType = 'R';
    enum Code : std::int32_t {
        Ok = 0,
        KerberosV5 = 2,
        CleartextPassword = 3,
        Md5Password = 5,
        Gss = 7,
        GssContinue = 8,
        Sspi = 9,
        Sasl = 10,
        SaslContinue = 11,
        SaslFinal = 12,
    };
    std::int32_t code = Ok;
    QByteArray data;
    // AuthenticationSASL's mechanism names.
    QList<QByteArray> mechanisms() const;
    static Authentication sasl(const QList<QByteArray>& mechanisms);
    QByteArray encode() const;
    static Result<Authentication> decode(const Frame& frame);
    bool operator==(const Authentication&) const = default;
};

struct ParameterStatus
{
    static constexpr char kType = 'S';
    QByteArray name;
    QByteArray value;
    QByteArray encode() const;
    static Result<ParameterStatus> decode(const Frame& frame);
    bool operator==(const ParameterStatus&) const = default;
};

struct BackendKeyData
{
    static constexpr char kType = 'K';
    std::int32_t processId = 0;
    std::int32_t secretKey = 0;
    QByteArray encode() const;
    static Result<BackendKeyData> decode(const Frame& frame);
    bool operator==(const BackendKeyData&) const = default;
};

struct ReadyForQuery
{
    static constexpr char kType = 'Z';
    char status = 'I'; // 'I' idle, 'T' in transaction, 'E' failed transaction
    QByteArray encode() const;
    static Result<ReadyForQuery> decode(const Frame& frame);
    bool operator==(const ReadyForQuery&) const = default;
};

struct FieldDescription
{
    QByteArray name;
    std::uint32_t tableOid = 0;
    std::int16_t column = 0;
    std::uint32_t typeOid = 0;
    std::int16_t typeSize = 0;
    std::int32_t typeModifier = -1;
    std::int16_t format = 0;
    bool operator==(const FieldDescription&) const = default;
};

struct RowDescription
{
    static constexpr char kType = 'T';
    QList<FieldDescription> fields;
    QByteArray encode() const;
    static Result<RowDescription> decode(const Frame& frame);
    bool operator==(const RowDescription&) const = default;
};

struct DataRow
{
    static constexpr char kType = 'D';
    QList<std::optional<QByteArray>> values;
    QByteArray encode() const;
    static Result<DataRow> decode(const Frame& frame);
    bool operator==(const DataRow&) const = default;
};

struct CommandComplete
{
    static constexpr char kType = 'C';
    QByteArray tag;
    // The row count at the end of the tag ("SELECT 5", "INSERT 0 1"), -1 when the tag has none.
    qint64 rows() const;
    QByteArray encode() const;
    static Result<CommandComplete> decode(const Frame& frame);
    bool operator==(const CommandComplete&) const = default;
};

struct EmptyQueryResponse
{
    static constexpr char kType = 'I';
    QByteArray encode() const;
    static Result<EmptyQueryResponse> decode(const Frame& frame);
    bool operator==(const EmptyQueryResponse&) const = default;
};

// ErrorResponse and NoticeResponse share their body: typed fields ('S' severity, 'C' SQLSTATE,
// 'M' message, ...).
struct NoticeFields
{
    QList<std::pair<char, QByteArray>> fields;
    QByteArray field(char code) const;
    QByteArray sqlState() const { return field('C'); }
    QByteArray message() const { return field('M'); }
    bool operator==(const NoticeFields&) const = default;
};

struct ErrorResponse : NoticeFields
{
    static constexpr char kType = 'E';
    // A FATAL error as the server would send it.
    static ErrorResponse fatal(const QByteArray& sqlState, const QByteArray& message);
    QByteArray encode() const;
    static Result<ErrorResponse> decode(const Frame& frame);
    bool operator==(const ErrorResponse&) const = default;
};

struct NoticeResponse : NoticeFields
{
    static constexpr char kType = 'N';
    QByteArray encode() const;
    static Result<NoticeResponse> decode(const Frame& frame);
    bool operator==(const NoticeResponse&) const = default;
};

struct NotificationResponse
{
    static constexpr char kType = 'A';
    std::int32_t processId = 0;
    QByteArray channel;
    QByteArray payload;
    QByteArray encode() const;
    static Result<NotificationResponse> decode(const Frame& frame);
    bool operator==(const NotificationResponse&) const = default;
};

// The body-less acknowledgements.
template <char Type> struct EmptyBackendMessage
{
    static constexpr char kType = Type;
    QByteArray encode() const { return BodyWriter().frame(kType); }
    static Result<EmptyBackendMessage> decode(const Frame& frame)
    {
        if (auto st = expectType(frame, kType, "acknowledgement"); !st)
            return st.error();
        if (!frame.body.isEmpty())
            return protocolError(
                QStringLiteral("message '%1' must be empty").arg(QLatin1Char(kType)));
        return EmptyBackendMessage{};
    }
    bool operator==(const EmptyBackendMessage&) const = default;
};
using ParseComplete = EmptyBackendMessage<'1'>;
using BindComplete = EmptyBackendMessage<'2'>;
using CloseComplete = EmptyBackendMessage<'3'>;
using NoData = EmptyBackendMessage<'n'>;
using PortalSuspended = EmptyBackendMessage<'s'>;

struct ParameterDescription
{
    static constexpr char kType = 't';
    QList<std::uint32_t> types;
    QByteArray encode() const;
    static Result<ParameterDescription> decode(const Frame& frame);
    bool operator==(const ParameterDescription&) const = default;
};

// CopyInResponse ('G'), CopyOutResponse ('H') and CopyBothResponse ('W').
struct CopyResponse
{
    char type = 'G';
    std::int8_t format = 0; // overall: 0 text, 1 binary
    QList<std::int16_t> columnFormats;
    QByteArray encode() const;
    static Result<CopyResponse> decode(const Frame& frame);
    bool operator==(const CopyResponse&) const = default;
};

struct NegotiateProtocolVersion
{
    static constexpr char kType = 'v';
    std::int32_t newestMinor = 0;
    QList<QByteArray> unrecognizedOptions;
    QByteArray encode() const;
    static Result<NegotiateProtocolVersion> decode(const Frame& frame);
    bool operator==(const NegotiateProtocolVersion&) const = default;
};

struct FunctionCallResponse
{
    static constexpr char kType = 'V';
    std::optional<QByteArray> result;
    QByteArray encode() const;
    static Result<FunctionCallResponse> decode(const Frame& frame);
    bool operator==(const FunctionCallResponse&) const = default;
};

// True for every type byte a backend may send after startup.
bool isBackendType(char type);

} // namespace doppel::pgwire
