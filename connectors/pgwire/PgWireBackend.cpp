// SPDX-License-Identifier: GPL-3.0-or-later
#include "PgWireBackend.h"

namespace doppel::pgwire {

bool isBackendType(char type)
{
    switch (type) {
    case 'R':
    case 'S':
    case 'K':
    case 'Z':
    case 'T':
    case 'D':
    case 'C':
    case 'I':
    case 'E':
    case 'N':
    case 'A':
    case '1':
    case '2':
    case '3':
    case 'n':
    case 't':
    case 's':
    case 'G':
    case 'H':
    case 'W':
    case 'd':
    case 'c':
    case 'v':
    case 'V':
        return true;
    default:
        return false;
    }
}

QList<QByteArray> Authentication::mechanisms() const
{
    QList<QByteArray> out;
    for (const QByteArray& m : data.split('\0'))
        if (!m.isEmpty())
            out.append(m);
    return out;
}

Authentication Authentication::sasl(const QList<QByteArray>& mechanisms)
{
    Authentication a;
    a.code = Sasl;
    for (const QByteArray& m : mechanisms)
        a.data.append(m).append('\0');
    a.data.append('\0');
    return a;
}

QByteArray Authentication::encode() const
{
    return BodyWriter().int32(code).bytes(data).frame(kType);
}

Result<Authentication> Authentication::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "Authentication"); !st)
        return st.error();
    BodyReader r(frame.body);
    Authentication m;
    m.code = r.int32();
    m.data = r.rest();
    if (r.failed())
        return protocolError(QStringLiteral("truncated Authentication message"));
    const bool needsSalt = m.code == Md5Password;
    if (needsSalt && m.data.size() != 4)
        return protocolError(QStringLiteral("AuthenticationMD5Password needs a 4-byte salt"));
    return m;
}

QByteArray ParameterStatus::encode() const
{
    return BodyWriter().cstring(name).cstring(value).frame(kType);
}

Result<ParameterStatus> ParameterStatus::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "ParameterStatus"); !st)
        return st.error();
    BodyReader r(frame.body);
    ParameterStatus m;
    m.name = r.cstring();
    m.value = r.cstring();
    if (auto st = r.finish("ParameterStatus"); !st)
        return st.error();
    return m;
}

QByteArray BackendKeyData::encode() const
{
    return BodyWriter().int32(processId).int32(secretKey).frame(kType);
}

Result<BackendKeyData> BackendKeyData::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "BackendKeyData"); !st)
        return st.error();
    BodyReader r(frame.body);
    BackendKeyData m;
    m.processId = r.int32();
    m.secretKey = r.int32();
    if (auto st = r.finish("BackendKeyData"); !st)
        return st.error();
    return m;
}

QByteArray ReadyForQuery::encode() const
{
    return BodyWriter().int8(status).frame(kType);
}

Result<ReadyForQuery> ReadyForQuery::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "ReadyForQuery"); !st)
        return st.error();
    BodyReader r(frame.body);
    ReadyForQuery m{char(r.int8())};
    if (auto st = r.finish("ReadyForQuery"); !st)
        return st.error();
    if (m.status != 'I' && m.status != 'T' && m.status != 'E')
        return protocolError(QStringLiteral("invalid transaction status '%1' in ReadyForQuery")
                                 .arg(QLatin1Char(m.status)));
    return m;
}

QByteArray RowDescription::encode() const
{
    BodyWriter w;
    w.int16(std::int16_t(fields.size()));
    for (const auto& f : fields)
        w.cstring(f.name)
            .int32(std::int32_t(f.tableOid))
            .int16(f.column)
            .int32(std::int32_t(f.typeOid))
            .int16(f.typeSize)
            .int32(f.typeModifier)
            .int16(f.format);
    return w.frame(kType);
}

Result<RowDescription> RowDescription::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "RowDescription"); !st)
        return st.error();
    BodyReader r(frame.body);
    RowDescription m;
    const int n = r.int16();
    for (int i = 0; i < n && !r.failed(); ++i) {
        FieldDescription f;
        f.name = r.cstring();
        f.tableOid = std::uint32_t(r.int32());
        f.column = r.int16();
        f.typeOid = std::uint32_t(r.int32());
        f.typeSize = r.int16();
        f.typeModifier = r.int32();
        f.format = r.int16();
        m.fields.append(f);
    }
    if (auto st = r.finish("RowDescription"); !st)
        return st.error();
    return m;
}

QByteArray DataRow::encode() const
{
    BodyWriter w;
    w.int16(std::int16_t(values.size()));
    for (const auto& v : values)
        w.nullableBytes(v);
    return w.frame(kType);
}

Result<DataRow> DataRow::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "DataRow"); !st)
        return st.error();
    BodyReader r(frame.body);
    DataRow m;
    const int n = r.int16();
    for (int i = 0; i < n && !r.failed(); ++i)
        m.values.append(r.nullableBytes());
    if (auto st = r.finish("DataRow"); !st)
        return st.error();
    return m;
}

qint64 CommandComplete::rows() const
{
    const qsizetype space = tag.lastIndexOf(' ');
    if (space < 0)
        return -1;
    bool ok = false;
    const qint64 n = tag.mid(space + 1).toLongLong(&ok);
    return ok ? n : -1;
}

QByteArray CommandComplete::encode() const
{
    return BodyWriter().cstring(tag).frame(kType);
}

Result<CommandComplete> CommandComplete::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "CommandComplete"); !st)
        return st.error();
    BodyReader r(frame.body);
    CommandComplete m{r.cstring()};
    if (auto st = r.finish("CommandComplete"); !st)
        return st.error();
    return m;
}

QByteArray EmptyQueryResponse::encode() const
{
    return BodyWriter().frame(kType);
}

Result<EmptyQueryResponse> EmptyQueryResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "EmptyQueryResponse"); !st)
        return st.error();
    if (!frame.body.isEmpty())
        return protocolError(QStringLiteral("EmptyQueryResponse must be empty"));
    return EmptyQueryResponse{};
}

QByteArray NoticeFields::field(char code) const
{
    for (const auto& [c, v] : fields)
        if (c == code)
            return v;
    return {};
}

static QByteArray encodeFields(const NoticeFields& n, char type)
{
    BodyWriter w;
    for (const auto& [c, v] : n.fields)
        w.int8(c).cstring(v);
    w.int8(0);
    return w.frame(type);
}

static Result<NoticeFields> decodeFields(const Frame& frame, const char* what)
{
    BodyReader r(frame.body);
    NoticeFields n;
    while (true) {
        const char code = char(r.int8());
        if (r.failed() || code == 0)
            break;
        n.fields.append({code, r.cstring()});
    }
    if (auto st = r.finish(what); !st)
        return st.error();
    return n;
}

ErrorResponse ErrorResponse::fatal(const QByteArray& sqlState, const QByteArray& message)
{
    ErrorResponse e;
    e.fields = {{'S', "FATAL"}, {'V', "FATAL"}, {'C', sqlState}, {'M', message}};
    return e;
}

QByteArray ErrorResponse::encode() const
{
    return encodeFields(*this, kType);
}

Result<ErrorResponse> ErrorResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "ErrorResponse"); !st)
        return st.error();
    auto n = decodeFields(frame, "ErrorResponse");
    if (!n)
        return n.error();
    ErrorResponse e;
    e.fields = n->fields;
    return e;
}

QByteArray NoticeResponse::encode() const
{
    return encodeFields(*this, kType);
}

Result<NoticeResponse> NoticeResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "NoticeResponse"); !st)
        return st.error();
    auto n = decodeFields(frame, "NoticeResponse");
    if (!n)
        return n.error();
    NoticeResponse e;
    e.fields = n->fields;
    return e;
}

QByteArray NotificationResponse::encode() const
{
    return BodyWriter().int32(processId).cstring(channel).cstring(payload).frame(kType);
}

Result<NotificationResponse> NotificationResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "NotificationResponse"); !st)
        return st.error();
    BodyReader r(frame.body);
    NotificationResponse m;
    m.processId = r.int32();
    m.channel = r.cstring();
    m.payload = r.cstring();
    if (auto st = r.finish("NotificationResponse"); !st)
        return st.error();
    return m;
}

QByteArray ParameterDescription::encode() const
{
    BodyWriter w;
    w.int16(std::int16_t(types.size()));
    for (auto t : types)
        w.int32(std::int32_t(t));
    return w.frame(kType);
}

Result<ParameterDescription> ParameterDescription::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "ParameterDescription"); !st)
        return st.error();
    BodyReader r(frame.body);
    ParameterDescription m;
    const int n = r.int16();
    for (int i = 0; i < n && !r.failed(); ++i)
        m.types.append(std::uint32_t(r.int32()));
    if (auto st = r.finish("ParameterDescription"); !st)
        return st.error();
    return m;
}

QByteArray CopyResponse::encode() const
{
    BodyWriter w;
    w.int8(format).int16(std::int16_t(columnFormats.size()));
    for (auto f : columnFormats)
        w.int16(f);
    return w.frame(type);
}

Result<CopyResponse> CopyResponse::decode(const Frame& frame)
{
    if (frame.type != 'G' && frame.type != 'H' && frame.type != 'W')
        return protocolError(QStringLiteral("expected a Copy*Response, got message type '%1'")
                                 .arg(QLatin1Char(frame.type)));
    BodyReader r(frame.body);
    CopyResponse m;
    m.type = frame.type;
    m.format = r.int8();
    const int n = r.int16();
    for (int i = 0; i < n && !r.failed(); ++i)
        m.columnFormats.append(r.int16());
    if (auto st = r.finish("CopyResponse"); !st)
        return st.error();
    return m;
}

QByteArray NegotiateProtocolVersion::encode() const
{
    BodyWriter w;
    w.int32(newestMinor).int32(std::int32_t(unrecognizedOptions.size()));
    for (const auto& o : unrecognizedOptions)
        w.cstring(o);
    return w.frame(kType);
}

Result<NegotiateProtocolVersion> NegotiateProtocolVersion::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "NegotiateProtocolVersion"); !st)
        return st.error();
    BodyReader r(frame.body);
    NegotiateProtocolVersion m;
    m.newestMinor = r.int32();
    const int n = r.int32();
    for (int i = 0; i < n && !r.failed(); ++i)
        m.unrecognizedOptions.append(r.cstring());
    if (auto st = r.finish("NegotiateProtocolVersion"); !st)
        return st.error();
    return m;
}

QByteArray FunctionCallResponse::encode() const
{
    return BodyWriter().nullableBytes(result).frame(kType);
}

Result<FunctionCallResponse> FunctionCallResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "FunctionCallResponse"); !st)
        return st.error();
    BodyReader r(frame.body);
    FunctionCallResponse m{r.nullableBytes()};
    if (auto st = r.finish("FunctionCallResponse"); !st)
        return st.error();
    return m;
}

} // namespace doppel::pgwire
