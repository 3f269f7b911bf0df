// SPDX-License-Identifier: GPL-3.0-or-later
#include "PgWireFrontend.h"

namespace doppel::pgwire {

Status expectType(const Frame& frame, char expected, const char* name)
{
    if (frame.type != expected)
        return protocolError(QStringLiteral("expected %1 ('%2'), got message type '%3'")
                                 .arg(QLatin1String(name))
                                 .arg(QLatin1Char(expected))
                                 .arg(QLatin1Char(frame.type ? frame.type : '0')));
    return Ok{};
}

bool isFrontendType(char type)
{
    switch (type) {
    case 'Q':
    case 'P':
    case 'B':
    case 'D':
    case 'E':
    case 'C':
    case 'S':
    case 'H':
    case 'X':
    case 'd':
    case 'c':
    case 'f':
    case 'p':
    case 'F':
        return true;
    default:
        return false;
    }
}

QByteArray StartupMessage::parameter(const QByteArray& name) const
{
    for (const auto& [k, v] : parameters)
        if (k == name)
            return v;
    return {};
}

QByteArray StartupMessage::encode() const
{
    BodyWriter w;
    w.int32(version);
    for (const auto& [k, v] : parameters)
        w.cstring(k).cstring(v);
    w.int8(0);
    return w.startupFrame();
}

Result<StartupMessage> StartupMessage::decode(const Frame& frame)
{
    BodyReader r(frame.body);
    StartupMessage m;
    m.version = r.int32();
    if (r.failed() || (m.version >> 16) != 3)
        return protocolError(QStringLiteral("unsupported frontend protocol %1.%2: this proxy "
                                            "speaks protocol 3")
                                 .arg(m.version >> 16)
                                 .arg(m.version & 0xffff));
    while (!r.failed()) {
        QByteArray key = r.cstring();
        if (key.isEmpty())
            break;
        QByteArray value = r.cstring();
        m.parameters.append({key, value});
    }
    if (auto st = r.finish("StartupMessage"); !st)
        return st.error();
    return m;
}

QByteArray SslRequest::encode() const
{
    return BodyWriter().int32(kSslRequestCode).startupFrame();
}

QByteArray GssEncRequest::encode() const
{
    return BodyWriter().int32(kGssEncRequestCode).startupFrame();
}

QByteArray CancelRequest::encode() const
{
    return BodyWriter().int32(kCancelRequestCode).int32(processId).int32(secretKey).startupFrame();
}

Result<CancelRequest> CancelRequest::decode(const Frame& frame)
{
    BodyReader r(frame.body);
    CancelRequest m;
    if (r.int32() != kCancelRequestCode)
        return protocolError(QStringLiteral("not a CancelRequest"));
    m.processId = r.int32();
    m.secretKey = r.int32();
    if (auto st = r.finish("CancelRequest"); !st)
        return st.error();
    return m;
}

Result<StartupKind> startupKind(const Frame& frame)
{
    if (frame.type != 0 || frame.body.size() < 4)
        return protocolError(QStringLiteral("not a startup packet"));
    const std::int32_t code = std::int32_t(readBe32(frame.body.constData()));
    switch (code) {
    case kSslRequestCode:
        return StartupKind::Ssl;
    case kGssEncRequestCode:
        return StartupKind::GssEnc;
    case kCancelRequestCode:
        return StartupKind::Cancel;
    default:
        return StartupKind::Startup;
    }
}

QByteArray Query::encode() const
{
    return BodyWriter().cstring(sql).frame(kType);
}

Result<Query> Query::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "Query"); !st)
        return st.error();
    BodyReader r(frame.body);
    Query m{r.cstring()};
    if (auto st = r.finish("Query"); !st)
        return st.error();
    return m;
}

QByteArray Parse::encode() const
{
    BodyWriter w;
    w.cstring(name).cstring(query).int16(std::int16_t(parameterTypes.size()));
    for (auto t : parameterTypes)
        w.int32(std::int32_t(t));
    return w.frame(kType);
}

Result<Parse> Parse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "Parse"); !st)
        return st.error();
    BodyReader r(frame.body);
    Parse m;
    m.name = r.cstring();
    m.query = r.cstring();
    const int n = r.int16();
    for (int i = 0; i < n && !r.failed(); ++i)
        m.parameterTypes.append(std::uint32_t(r.int32()));
    if (auto st = r.finish("Parse"); !st)
        return st.error();
    return m;
}

std::int16_t Bind::parameterFormat(qsizetype i) const
{
    if (parameterFormats.isEmpty())
        return 0;
    if (parameterFormats.size() == 1)
        return parameterFormats.first();
    return i < parameterFormats.size() ? parameterFormats[i] : 0;
}

QByteArray Bind::encode() const
{
    BodyWriter w;
    w.cstring(portal).cstring(statement).int16(std::int16_t(parameterFormats.size()));
    for (auto f : parameterFormats)
        w.int16(f);
    w.int16(std::int16_t(parameters.size()));
    for (const auto& p : parameters)
        w.nullableBytes(p);
    w.int16(std::int16_t(resultFormats.size()));
    for (auto f : resultFormats)
        w.int16(f);
    return w.frame(kType);
}

Result<Bind> Bind::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "Bind"); !st)
        return st.error();
    BodyReader r(frame.body);
    Bind m;
    m.portal = r.cstring();
    m.statement = r.cstring();
    const int nf = r.int16();
    for (int i = 0; i < nf && !r.failed(); ++i)
        m.parameterFormats.append(r.int16());
    const int np = r.int16();
    for (int i = 0; i < np && !r.failed(); ++i)
        m.parameters.append(r.nullableBytes());
    const int nr = r.int16();
    for (int i = 0; i < nr && !r.failed(); ++i)
        m.resultFormats.append(r.int16());
    if (nf < 0 || np < 0 || nr < 0)
        return protocolError(QStringLiteral("negative count in Bind message"));
    if (auto st = r.finish("Bind"); !st)
        return st.error();
    return m;
}

static Result<std::pair<char, QByteArray>> decodeKindName(const Frame& frame, char type,
                                                          const char* what)
{
    if (auto st = expectType(frame, type, what); !st)
        return st.error();
    BodyReader r(frame.body);
    const char kind = char(r.int8());
    QByteArray name = r.cstring();
    if (auto st = r.finish(what); !st)
        return st.error();
    if (kind != 'S' && kind != 'P')
        return protocolError(
            QStringLiteral("invalid %1 kind '%2'").arg(QLatin1String(what)).arg(QLatin1Char(kind)));
    return std::pair<char, QByteArray>{kind, name};
}

QByteArray Describe::encode() const
{
    return BodyWriter().int8(kind).cstring(name).frame(kType);
}

Result<Describe> Describe::decode(const Frame& frame)
{
    auto kn = decodeKindName(frame, kType, "Describe");
    if (!kn)
        return kn.error();
    return Describe{kn->first, kn->second};
}

QByteArray Execute::encode() const
{
    return BodyWriter().cstring(portal).int32(maxRows).frame(kType);
}

Result<Execute> Execute::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "Execute"); !st)
        return st.error();
    BodyReader r(frame.body);
    Execute m;
    m.portal = r.cstring();
    m.maxRows = r.int32();
    if (auto st = r.finish("Execute"); !st)
        return st.error();
    return m;
}

QByteArray Close::encode() const
{
    return BodyWriter().int8(kind).cstring(name).frame(kType);
}

Result<Close> Close::decode(const Frame& frame)
{
    auto kn = decodeKindName(frame, kType, "Close");
    if (!kn)
        return kn.error();
    return Close{kn->first, kn->second};
}

template <typename T> static Result<T> decodeEmpty(const Frame& frame, const char* what)
{
    if (auto st = expectType(frame, T::kType, what); !st)
        return st.error();
    if (!frame.body.isEmpty())
        return protocolError(QStringLiteral("%1 message must be empty").arg(QLatin1String(what)));
    return T{};
}

QByteArray Sync::encode() const
{
    return BodyWriter().frame(kType);
}
Result<Sync> Sync::decode(const Frame& frame)
{
    return decodeEmpty<Sync>(frame, "Sync");
}
QByteArray Flush::encode() const
{
    return BodyWriter().frame(kType);
}
Result<Flush> Flush::decode(const Frame& frame)
{
    return decodeEmpty<Flush>(frame, "Flush");
}
QByteArray Terminate::encode() const
{
    return BodyWriter().frame(kType);
}
Result<Terminate> Terminate::decode(const Frame& frame)
{
    return decodeEmpty<Terminate>(frame, "Terminate");
}
QByteArray CopyDone::encode() const
{
    return BodyWriter().frame(kType);
}
Result<CopyDone> CopyDone::decode(const Frame& frame)
{
    return decodeEmpty<CopyDone>(frame, "CopyDone");
}

QByteArray CopyData::encode() const
{
    return BodyWriter().bytes(data).frame(kType);
}

Result<CopyData> CopyData::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "CopyData"); !st)
        return st.error();
    return CopyData{frame.body};
}

QByteArray CopyFail::encode() const
{
    return BodyWriter().cstring(message).frame(kType);
}

Result<CopyFail> CopyFail::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "CopyFail"); !st)
        return st.error();
    BodyReader r(frame.body);
    CopyFail m{r.cstring()};
    if (auto st = r.finish("CopyFail"); !st)
        return st.error();
    return m;
}

QByteArray PasswordMessage::encode() const
{
    return BodyWriter().cstring(password).frame(kType);
}

Result<PasswordMessage> PasswordMessage::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "PasswordMessage"); !st)
        return st.error();
    BodyReader r(frame.body);
    PasswordMessage m{r.cstring()};
    if (auto st = r.finish("PasswordMessage"); !st)
        return st.error();
    return m;
}

QByteArray SaslInitialResponse::encode() const
{
    return BodyWriter().cstring(mechanism).nullableBytes(data).frame(kType);
}

Result<SaslInitialResponse> SaslInitialResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "SASLInitialResponse"); !st)
        return st.error();
    BodyReader r(frame.body);
    SaslInitialResponse m;
    m.mechanism = r.cstring();
    m.data = r.nullableBytes();
    if (auto st = r.finish("SASLInitialResponse"); !st)
        return st.error();
    return m;
}

QByteArray SaslResponse::encode() const
{
    return BodyWriter().bytes(data).frame(kType);
}

Result<SaslResponse> SaslResponse::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "SASLResponse"); !st)
        return st.error();
    return SaslResponse{frame.body};
}

QByteArray FunctionCall::encode() const
{
    BodyWriter w;
    w.int32(std::int32_t(functionOid)).int16(std::int16_t(argumentFormats.size()));
    for (auto f : argumentFormats)
        w.int16(f);
    w.int16(std::int16_t(arguments.size()));
    for (const auto& a : arguments)
        w.nullableBytes(a);
    w.int16(resultFormat);
    return w.frame(kType);
}

Result<FunctionCall> FunctionCall::decode(const Frame& frame)
{
    if (auto st = expectType(frame, kType, "FunctionCall"); !st)
        return st.error();
    BodyReader r(frame.body);
    FunctionCall m;
    m.functionOid = std::uint32_t(r.int32());
    const int nf = r.int16();
    for (int i = 0; i < nf && !r.failed(); ++i)
        m.argumentFormats.append(r.int16());
    const int na = r.int16();
    for (int i = 0; i < na && !r.failed(); ++i)
        m.arguments.append(r.nullableBytes());
    m.resultFormat = r.int16();
    if (auto st = r.finish("FunctionCall"); !st)
        return st.error();
    return m;
}

} // namespace doppel::pgwire
