// SPDX-License-Identifier: GPL-3.0-or-later
#include "StatementKind.h"

#include "StatementModel.h"

namespace doppel {

bool isReadOnlyStatement(const std::string& sql)
{
    return classifyStatement(sql).readOnly;
}

} // namespace doppel
