// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QHBoxLayout;
class QPushButton;
class QWidget;

namespace doppel {

// The Start / Cancel row of a dialog that runs one job at a time on a worker: the buttons named
// "startButton" and "cancelButton" (tests find them so), Cancel disabled until a job runs, the
// row left-aligned. GUI thread only.
struct JobButtons
{
    QPushButton* start = nullptr;
    QPushButton* cancel = nullptr;
    QHBoxLayout* row = nullptr;
};

JobButtons makeJobButtons(QWidget* parent, const QString& startText);

} // namespace doppel
