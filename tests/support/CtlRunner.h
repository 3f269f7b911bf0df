// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace doppel::test {

// Runs doppelctl in-process (argv without the program name) and returns its exit code, with
// what it printed on stdout and stderr. The calling thread runs the command.
int runCtl(const QStringList& args, QString* out = nullptr, QString* err = nullptr);

} // namespace doppel::test
