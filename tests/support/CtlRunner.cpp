// SPDX-License-Identifier: GPL-3.0-or-later
#include "CtlRunner.h"

#include "CommandLine.h"

#include <QTextStream>

namespace doppel::test {

int runCtl(const QStringList& args, QString* out, QString* err)
{
    QString o, e;
    QTextStream so(&o), se(&e);
    const int rc = cli::runDoppelctl(args, so, se);
    so.flush();
    se.flush();
    if (out)
        *out = o;
    if (err)
        *err = e;
    return rc;
}

} // namespace doppel::test
