#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QTextCharFormat>

namespace Kyozo::App {

// A cell's output as a terminal would show its colours (issue 17 item 5: "ANSI colours
// rendered"): ECMA-48 SGR sequences (ESC [ … m) become character formats — bold, faint,
// italic, underline, inverse, the 8 + 8 colours, xterm's 256-colour palette (38;5;N) and
// direct colour (38;2;R;G;B), each with its reset. Every other control sequence (cursor
// moves, erase, OSC titles) is dropped, so what a program meant for a terminal never shows
// as garbage. A sequence split across chunks is held until its end arrives; one longer than
// kMaxSequence is dropped whole (a bounded buffer on untrusted output).
class AnsiText
{
public:
    struct Run
    {
        QString text;
        QTextCharFormat format; // only what SGR set; empty for plain text
    };

    // The runs of `chunk`, continuing the state (colours, an unfinished sequence) of the
    // chunks before it. Adjacent text of one format is one run.
    QList<Run> feed(QStringView chunk);
    // Back to plain text (a new run of the cell).
    void reset();

    // xterm's palette: 0-15 the standard and bright colours, 16-231 the 6×6×6 cube,
    // 232-255 the grey ramp.
    static QColor paletteColor(int index);

    static constexpr int kMaxSequence = 256;

private:
    enum class Escape { None, Esc, Csi, Osc, OscEsc };
    void applySgr(QStringView parameters);
    QTextCharFormat currentFormat() const;
    void append(QList<Run> &runs, QStringView text) const;

    Escape m_escape = Escape::None;
    QString m_sequence; // the parameters of an unfinished CSI
    qsizetype m_skipped = 0; // characters of an unfinished OSC or overlong CSI
    bool m_bold = false;
    bool m_faint = false;
    bool m_italic = false;
    bool m_underline = false;
    bool m_inverse = false;
    QColor m_foreground; // invalid: the view's default
    QColor m_background;
};

} // namespace Kyozo::App
