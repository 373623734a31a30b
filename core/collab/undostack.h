#pragma once

#include "textoperation.h"

#include <vector>

namespace Kyozo::Collab {

// Undo and redo of the local user's own edits only, in a document others edit too (issue 15
// item 1): ot.js 0.0.15's UndoManager (lib/undo-manager.js). Each step is the inverse of an
// own edit; every operation that comes from someone else transforms all steps, so an undo
// takes back exactly what this user did, where it now is, and leaves the others' text alone.
class UndoStack
{
public:
    UndoStack()
        : UndoStack(200)
    {
    }
    explicit UndoStack(int maxSteps)
        : m_maxSteps(std::max(1, maxSteps))
    {
    }

    // An own edit `operation`, made on the text `before`. `merge`: it continues the last
    // step (a run of typing) and is undone with it.
    void recordLocal(const TextOperation &operation, const QString &before, bool merge = false);
    // An operation of someone else, applied to the document now.
    void transform(const TextOperation &remote);

    bool canUndo() const { return !m_undo.empty(); }
    bool canRedo() const { return !m_redo.empty(); }
    // The operation that undoes the last own step on the document `current`; the caller
    // applies it and sends it like any local edit (not through recordLocal).
    std::optional<TextOperation> undo(const QString &current);
    std::optional<TextOperation> redo(const QString &current);
    void clear();

private:
    static void transformSteps(std::vector<TextOperation> &steps, TextOperation remote);

    std::vector<TextOperation> m_undo; // back() is the next undo; it applies to the document
    std::vector<TextOperation> m_redo;
    int m_maxSteps;
    bool m_mergeBlocked = false; // after an undo or redo the next edit starts a new step
};

} // namespace Kyozo::Collab
