// SPDX-License-Identifier: GPL-3.0-or-later
// doppel-proxy: the PostgreSQL wire-protocol proxy that forwards, captures and mirrors to the
// shadow.
#include "proxy/ProxyServer.h"

#include <cstdio>

int main(int argc, char** argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    if (args.contains(QStringLiteral("--help")) || args.isEmpty()) {
        std::fputs(doppel::proxy::proxyUsage().toUtf8().constData(),
                   args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    auto config = doppel::proxy::parseProxyArguments(args);
    if (!config) {
        std::fprintf(stderr, "doppel-proxy: %s\n", config.error().message.toUtf8().constData());
        return 2;
    }
    auto server = doppel::proxy::ProxyServer::create(*config, args);
    if (!server) {
        std::fprintf(stderr, "doppel-proxy: %s\n", server.error().message.toUtf8().constData());
        return 1;
    }
    return (*server)->run();
}
