// SPDX-License-Identifier: GPL-3.0-or-later
#include "JobButtons.h"

#include <QHBoxLayout>
#include <QPushButton>

namespace doppel {

JobButtons makeJobButtons(QWidget* parent, const QString& startText)
{
    JobButtons b;
    b.start = new QPushButton(startText, parent);
    b.start->setObjectName(QStringLiteral("startButton"));
    b.cancel = new QPushButton(QObject::tr("Cancel"), parent);
    b.cancel->setObjectName(QStringLiteral("cancelButton"));
    b.cancel->setEnabled(false);
    b.row = new QHBoxLayout;
    b.row->addWidget(b.start);
    b.row->addWidget(b.cancel);
    b.row->addStretch(1);
    return b;
}

} // namespace doppel
