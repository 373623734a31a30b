#pragma once

#include <QStringList>
#include <QUrl>

namespace Kyozo::App {

// `kyozo [--solo|--server URL] [FILE.md…]` (SPEC §11).
struct Options
{
    QUrl server; // empty: solo
    QString workspace; // team mode: the workspace to join
    QString notebook; // team mode: the id of a workspace notebook to open
    QString token; // team mode: a token to keep (TokenStore) and use, e.g. from Share…
    QString caFile; // team mode: CA certificates to trust beside the system's (privateca.h)
    QStringList files;
};

// SPEC §11: with no display the app says so in one line and exits 2.
bool hasDisplay();
// Where the writer's notebooks live (issue 19 item 3): QSettings "notebooksFolder", by
// default Kyozo in the desktop's Documents folder. The sample is copied there on first run.
QString notebooksFolder();

// Runs the editor: windows, the bundled server or the team connection, signals. Returns
// the exit code. Expects a QApplication.
int runEditor(const Options &options);

} // namespace Kyozo::App
