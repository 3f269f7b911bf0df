// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for what doppel-proxy reads from untrusted peers: the frame decoder in both
// phases, every message decoder (a decoded message must encode back to a frame that decodes to
// the same message), the statement tracker that follows a session's conversation for capture,
// and the capture record reader. The first input byte picks the direction and the split points
// so split and coalesced reads are exercised; the rest is the byte stream.
// Build: cmake -DDOPPEL_FUZZ=ON with clang (scripts/fuzz.sh); run: fuzz_pgwire -max_total_time=60
#include "pgwire/PgWireBackend.h"
#include "pgwire/PgWireFrontend.h"
#include "proxy/StatementTracker.h"
#include "workload/CaptureRecord.h"

#include <cstdlib>

using namespace doppel;
using namespace doppel::pgwire;

namespace {

template <typename Message> void roundTrip(const Frame& frame)
{
    auto decoded = Message::decode(frame);
    if (!decoded)
        return;
    FrameDecoder again;
    const QByteArray bytes = decoded->encode();
    again.feed(bytes);
    auto back = again.next();
    if (!back || !*back)
        std::abort(); // an encoded message must frame
    auto redecoded = Message::decode(**back);
    if (!redecoded)
        std::abort(); // and decode again
}

void decodeFrontend(const Frame& f)
{
    switch (f.type) {
    case 'Q':
        roundTrip<Query>(f);
        break;
    case 'P':
        roundTrip<Parse>(f);
        break;
    case 'B':
        roundTrip<Bind>(f);
        break;
    case 'D':
        roundTrip<Describe>(f);
        break;
    case 'E':
        roundTrip<Execute>(f);
        break;
    case 'C':
        roundTrip<Close>(f);
        break;
    case 'd':
        roundTrip<CopyData>(f);
        break;
    case 'f':
        roundTrip<CopyFail>(f);
        break;
    case 'F':
        (void)FunctionCall::decode(f);
        break;
    case 'p':
        (void)PasswordMessage::decode(f);
        (void)SaslInitialResponse::decode(f);
        (void)SaslResponse::decode(f);
        break;
    default:
        break;
    }
}

void decodeBackend(const Frame& f)
{
    switch (f.type) {
    case 'R':
        (void)Authentication::decode(f);
        break;
    case 'S':
        roundTrip<ParameterStatus>(f);
        break;
    case 'K':
        roundTrip<BackendKeyData>(f);
        break;
    case 'Z':
        roundTrip<ReadyForQuery>(f);
        break;
    case 'T':
        roundTrip<RowDescription>(f);
        break;
    case 'D':
        roundTrip<DataRow>(f);
        break;
    case 'C':
        roundTrip<CommandComplete>(f);
        break;
    case 'E':
        roundTrip<ErrorResponse>(f);
        break;
    case 'N':
        roundTrip<NoticeResponse>(f);
        break;
    case 'A':
        roundTrip<NotificationResponse>(f);
        break;
    case 't':
        (void)ParameterDescription::decode(f);
        break;
    case 'G':
    case 'H':
    case 'W':
        (void)CopyResponse::decode(f);
        break;
    case 'v':
        (void)NegotiateProtocolVersion::decode(f);
        break;
    case 'V':
        (void)FunctionCallResponse::decode(f);
        break;
    default:
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    const std::uint8_t control = data[0];
    const char* bytes = reinterpret_cast<const char*>(data + 1);
    const std::size_t n = size - 1;
    const bool fromClient = control & 1;
    const std::size_t chunk = 1 + (control >> 1) % 64; // reads of 1..64 bytes

    // The capture reader takes the same bytes as a record payload.
    (void)CaptureRecord::deserialize(std::string_view(bytes, n));

    FrameDecoder decoder(fromClient ? FrameDecoder::Phase::Startup : FrameDecoder::Phase::Regular,
                         1 << 20);
    CaptureRecord identity;
    proxy::StatementTracker tracker(
        identity, [](CaptureRecord&&) {}, 1.0);
    for (std::size_t at = 0; at < n; at += chunk) {
        decoder.feed(bytes + at, qsizetype(std::min(chunk, n - at)));
        for (;;) {
            auto frame = decoder.next();
            if (!frame)
                return 0; // the stream is refused: the proxy ends that session
            if (!*frame)
                break;
            const Frame& f = **frame;
            if (f.type == 0) {
                (void)startupKind(f);
                (void)StartupMessage::decode(f);
                (void)CancelRequest::decode(f);
                decoder.setPhase(FrameDecoder::Phase::Regular);
                continue;
            }
            const char* body = f.body.constData();
            const std::size_t bodySize = std::size_t(f.body.size());
            if (fromClient) {
                decodeFrontend(f);
                tracker.onClientMessage(f.type, body, bodySize);
            } else {
                decodeBackend(f);
                tracker.onServerMessage(f.type, body, bodySize);
            }
        }
    }
    tracker.endSession();
    return 0;
}
