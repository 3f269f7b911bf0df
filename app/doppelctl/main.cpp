// SPDX-License-Identifier: GPL-3.0-or-later
// doppelctl: the command line over every engine, for scripts, tests and machines without a
// display. Links core and connectors only, never Qt Widgets.
#include "CommandLine.h"

#include <QCoreApplication>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("doppel"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DOPPEL_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int rc = doppel::cli::runDoppelctl(app.arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return rc;
}
