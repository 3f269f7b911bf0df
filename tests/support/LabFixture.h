// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/Lab.h"

#include <QString>

namespace doppel {
class Repository;
}

namespace doppel::test {

// The lab the integration and GUI tests share. ctest starts it once (fixture "lab", see
// tests/CMakeLists.txt) in $DOPPEL_TEST_LAB_DIR; a test run by hand starts it if it is not
// running and leaves it for the next test (`doppelctl lab down --dir DIR` stops it).
const LabState& sharedLab();
QString sharedLabDir();

// Registers lab-production and lab-shadow in a test's repository.
void registerLabHosts(Repository& repo);

// A loopback listener that accepts connections and never says a word: a host that hangs.
class SilentListener
{
public:
    SilentListener();
    ~SilentListener();
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

// A loopback port nobody listens on: connections are refused.
int refusedPort();

} // namespace doppel::test
