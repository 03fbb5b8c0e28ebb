// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/app.h>

#include <QtWidgets/QApplication>

/// \file
/// The program entry for programs with widgets: Parley::runGui().
///
/// Header-only, so that Parley itself needs only Qt Core: a program that includes this header
/// links Qt6::Widgets itself.
///
/// \code
/// class Window : public Parley::Machine { ... on<Parley::Start>([this] { m_label = new QLabel; ...
/// }) }; int main(int argc, char **argv) { return Parley::runGui<Window>(argc, argv, Settings{}); }
/// \endcode

namespace Parley {

/// Runs an object of class \a T as the main object of a program with widgets: creates the
/// QApplication, then does what run() does, with the main object bound to the GUI thread
/// (Placement::Gui) so that its handlers may create and touch widgets.
template <std::derived_from<Object> T, Message Settings>
int runGui(int argc, char **argv, Settings factorySettings)
{
    QApplication app(argc, argv);
    return detail::runMain(argc, argv, detail::settingsSpec(std::move(factorySettings)),
                           [](Runtime &runtime, const Value &settings) {
                               if constexpr (std::is_constructible_v<T, const Settings &>)
                                   return runtime.createOn<T>(Placement::Gui,
                                                              settings.get<Settings>());
                               else
                                   return runtime.createOn<T>(Placement::Gui);
                           });
}

/// Runs a default-constructed object of class \a T as the main object of a program with
/// widgets and no settings.
template <std::derived_from<Object> T>
int runGui(int argc, char **argv)
{
    return runGui<T>(argc, argv, NoSettings{});
}

} // namespace Parley
