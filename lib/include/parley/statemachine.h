// SPDX-FileCopyrightText: 2026 The Parley Authors
// SPDX-License-Identifier: MIT
#pragma once

#include <parley/detail/layers.h>
#if PARLEY_BUILDING_LAYER < PARLEY_LAYER_CORE
#error "<parley/statemachine.h> is in the core layer, above this one (docs/design-notes.md, Layers)"
#endif

#include <parley/machine.h>

#include <deque>
#include <memory>
#include <vector>

namespace Parley {

class StateMachine;

namespace detail {
struct StateData;
/// What a state handler decided: move to a state, stay, or the machine completed.
struct Transition
{
    StateData *next = nullptr; ///< null = stay in the current state
};
} // namespace detail

/// A finite state machine: handlers per (state, message type), each returning the next state.
///
/// States are named members; the first one declared is the initial state. A handler returns
/// the next state, or `complete(value)`, or nothing (stay). A state may defer message types:
/// while in that state they are set aside and replayed, in arrival order, after the next
/// transition to a different state. `anyState` holds handlers used when the current state has
/// none for a type.
///
/// \code
/// class Door : public Parley::StateMachine {
/// public:
///     Door() {
///         closed.on<Open>([this] { return opened; }).defer<Knock>();
///         opened.on<Knock>([this] { reply(Parley::Ack{}); return opened; })
///               .on<Close>([this] { return closed; });
///         anyState.on<Parley::Stop>([this] { return complete(Parley::Aborted{}); });
///     }
/// private:
///     State closed{this, "CLOSED"}, opened{this, "OPENED"};
/// };
/// \endcode
class PARLEY_EXPORT StateMachine : public Object
{
    Q_OBJECT
public:
    /// Names one state of a StateMachine and holds its handlers; copies refer to the same state.
    class PARLEY_EXPORT State
    {
    public:
        /// Declares a state named \a name of \a machine.
        State(StateMachine *machine, const char *name);
        /// Converts the result of complete() so that a handler declared `-> State` may return it.
        State(Completion) : m_data(nullptr) {} // NOLINT(google-explicit-constructor)
        State(const State &) = default;
        State &operator=(const State &) = default;

        /// Handles \a T in this state with \a handler; it returns a State, a Completion or nothing.
        template <Message T, class F>
        State &on(F &&handler)
        {
            addHandler(typeOf<T>(), wrap(detail::adaptHandler<T>(std::forward<F>(handler))));
            return *this;
        }
        /// Sets aside messages of \a Ts while in this state; they are replayed after the next
        /// transition.
        template <Message... Ts>
        State &defer()
        {
            (addDeferred(typeOf<Ts>()), ...);
            return *this;
        }
        /// Handles every message this state has no handler for.
        template <std::invocable<Value &> F>
        State &onUnknown(F &&handler)
        {
            setUnknown(wrap([h = std::forward<F>(handler)](Value &v) mutable -> decltype(auto) {
                return std::invoke(h, v);
            }));
            return *this;
        }
        /// Returns the state's name.
        [[nodiscard]] QString name() const;
        friend bool operator==(const State &a, const State &b) { return a.m_data == b.m_data; }

    private:
        friend class StateMachine;
        using Function = std::function<detail::Transition(Value &)>;
        template <class G>
        static Function wrap(G &&g)
        {
            return [g = std::forward<G>(g)](Value &v) mutable -> detail::Transition {
                using R = decltype(g(v));
                if constexpr (std::is_void_v<R>) {
                    g(v);
                    return {};
                } else if constexpr (std::is_same_v<std::remove_cvref_t<R>, Completion>) {
                    (void)g(v);
                    return {};
                } else {
                    static_assert(std::is_convertible_v<R, const State &>,
                                  "a state handler returns a State, complete(...) or nothing");
                    const State &s = g(v);
                    return {s.m_data};
                }
            };
        }
        void addHandler(const TypeInfo *type, Function f);
        void addDeferred(const TypeInfo *type);
        void setUnknown(Function f);
        detail::StateData *m_data;
    };

    ~StateMachine() override;

    /// Returns the current state.
    [[nodiscard]] State state() const;

protected:
    StateMachine();

private:
    friend class State;
    QString parleyStateName() const override;
    void parleyReceive(detail::Envelope &envelope) override;
    bool dispatch(detail::Envelope &envelope);

    std::vector<std::unique_ptr<detail::StateData>> m_states;
    detail::StateData *m_current = nullptr;
    std::deque<detail::Envelope> m_deferred;

protected:
    /// Handlers that apply in every state that has none of its own for a type. (Declared after
    /// the state list it registers in.)
    State anyState{this, nullptr};
};

} // namespace Parley
