// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT

// The second translation unit of the colliding program (see collide_a.cpp). With
// COLLIDE_FIELD_NAME its Hello differs from a::Hello only in a field's name, else only in a
// field's type (QByteArray and QString have the same size, so a size check can't tell them
// apart).

#include <parley/messages.h>

namespace b {
#ifdef COLLIDE_FIELD_NAME
struct Hello
{
    QString body;
};
PARLEY_MESSAGE(Hello, body)
#else
struct Hello
{
    QByteArray text;
};
PARLEY_MESSAGE(Hello, text)
#endif
} // namespace b

const Parley::TypeInfo *helloFromB()
{
    return Parley::typeOf<b::Hello>();
}
