// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

// A message header included by two translation units of tst_registry (the normal case), and
// what the second unit reports about the messages it declares.

#include <parley/messages.h>

#include <typeinfo>

namespace registrytest {

struct Note
{
    QString text;
    qint32 n = 0;
};
PARLEY_MESSAGE_AS(Note, "registrytest.Note", text, n)

/// Returns the descriptor the other translation unit gets for Note.
const Parley::TypeInfo *noteTypeInOtherUnit();
/// Returns a Note made in the other translation unit.
Parley::Value noteFromOtherUnit(const QString &text, int n);

/// Returns the descriptor the other unit gets for its own Tick (a type in its anonymous
/// namespace, declared exactly like the one in tst_registry.cpp).
const Parley::TypeInfo *tickTypeInOtherUnit();
/// Returns the C++ type of the other unit's Tick.
const std::type_info &tickCppTypeInOtherUnit();
/// Returns a Tick made in the other translation unit.
Parley::Value tickFromOtherUnit(int n);

} // namespace registrytest
