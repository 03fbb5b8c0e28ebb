// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_APP
#error "<parley/gui.h> is in the app layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/app.h>

#include <QtWidgets/QApplication>

// clang-format off
/// \file
/// The program entry for programs with widgets: Parley::runGui().
///
/// Header-only, so that Parley itself needs only Qt Core: a program that includes this header
/// links Qt6::Widgets itself.
///
/// \code
/// class Window : public Parley::Machine {
/// public:
///     Window() {
///         on<Parley::Start>([this] {
///             m_label = new QLabel;   // on the GUI thread: widgets are allowed here
///             m_label->show();
///         });
///     }
/// private:
///     QLabel *m_label = nullptr;
/// };
///
/// int main(int argc, char **argv) { return Parley::runGui<Window>(argc, argv, Settings{}); }
/// \endcode
// clang-format on

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
