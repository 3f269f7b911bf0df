// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QString>

#include <functional>
#include <optional>

class QWidget;

namespace doppel {

// Yes/no questions to the user (trust a host key, remove a host). Asynchronous: the box is
// window-modal and opened with open(), never exec(), so no nested event loop runs; the answer
// arrives through a callback. Tests pre-answer the next question with setNextAnswer(), as
// KeePassXC's MessageBox does. GUI thread only.
class Prompt
{
    Q_DECLARE_TR_FUNCTIONS(Prompt)
public:
    enum class Answer { Accept, Reject };
    using Callback = std::function<void(Answer)>;

    // Asks and calls `done` (in the context of `parent`) once answered. `done` is dropped if
    // `parent` is destroyed first.
    static void ask(QWidget* parent, const QString& title, const QString& text,
                    const QString& acceptLabel, Callback done);

    // Tests: the next ask() is answered with `answer` without showing anything.
    static void setNextAnswer(Answer answer);
    static void clearNextAnswer();
    // Tests: the text of the last question asked, shown or pre-answered.
    static QString lastText();
    static int askedCount();

private:
    static std::optional<Answer> s_nextAnswer;
    static QString s_lastText;
    static int s_askedCount;
};

} // namespace doppel
