// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// A user's Qt Test case against the installed Parley::Test: a probe asks a machine and
// expects its answer, in a threaded and in a deterministic runtime.
#include <parley/test.h>

#include <QtTest/QtTest>

struct Question
{
    QString text;
};
struct Answer
{
    QString text;
};
PARLEY_MESSAGE_AS(Question, "consumer.Question", text)
PARLEY_MESSAGE_AS(Answer, "consumer.Answer", text)

class Oracle : public Parley::Machine
{
public:
    Oracle()
    {
        on<Question>([this](const Question &q) { reply(Answer{q.text + QStringLiteral("?")}); });
    }
};

class tst_Consumer : public QObject
{
    Q_OBJECT
private slots:
    void oracleAnswers_data()
    {
        QTest::addColumn<bool>("deterministic");
        QTest::newRow("threaded") << false;
        QTest::newRow("deterministic") << true;
    }
    void oracleAnswers()
    {
        QFETCH(bool, deterministic);
        Parley::Runtime runtime(Parley::Runtime::Options{.deterministic = deterministic});
        Parley::Test::Probe probe(runtime);
        probe.send(Question{QStringLiteral("why")}, runtime.create<Oracle>());
        PARLEY_EXPECT(probe, Answer, answer);
        QCOMPARE(answer.text, QStringLiteral("why?"));
    }
};

QTEST_GUILESS_MAIN(tst_Consumer)
#include "consumer_test.moc"
