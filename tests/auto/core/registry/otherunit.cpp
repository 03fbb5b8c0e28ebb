// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The second translation unit of tst_registry: the shared header again, and a Tick of its own
// declared like the one in tst_registry.cpp.

#include "shared.h"

namespace {
struct Tick
{
    qint32 n = 0;
};
PARLEY_MESSAGE_AS(Tick, "registrytest.Tick", n)
} // namespace

namespace registrytest {

const Parley::TypeInfo *noteTypeInOtherUnit()
{
    return Parley::typeOf<Note>();
}

Parley::Value noteFromOtherUnit(const QString &text, int n)
{
    return Note{text, n};
}

const Parley::TypeInfo *tickTypeInOtherUnit()
{
    return Parley::typeOf<Tick>();
}

const std::type_info &tickCppTypeInOtherUnit()
{
    return typeid(Tick);
}

Parley::Value tickFromOtherUnit(int n)
{
    return Tick{n};
}

} // namespace registrytest
