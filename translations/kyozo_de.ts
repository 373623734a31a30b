<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AiView</name>
    <message>
        <source>a budget of %1 tokens is too small: the view without entities takes %2</source>
        <translation>ein Budget von %1 Token ist zu klein: die Ansicht ohne Entitäten braucht %2</translation>
    </message>
</context>
<context>
    <name>Annotation</name>
    <message>
        <source>unclosed attribute list: &apos;{&apos; without &apos;}&apos;</source>
        <translation>nicht geschlossene Attributliste: &apos;{&apos; ohne &apos;}&apos;</translation>
    </message>
    <message>
        <source>unknown prefix &quot;%1&quot; in &quot;%2&quot;</source>
        <translation>unbekanntes Präfix „%1“ in „%2“</translation>
    </message>
</context>
<context>
    <name>Billing</name>
    <message>
        <source>The receipt is valid.</source>
        <translation>Der Beleg ist gültig.</translation>
    </message>
    <message>
        <source>The request to the App Store was not made using the HTTP POST method.</source>
        <translation>Die Anfrage an den App Store wurde nicht mit der HTTP-Methode POST gestellt.</translation>
    </message>
    <message>
        <source>The App Store answered 21001, which it no longer sends.</source>
        <translation>Der App Store antwortete 21001, was er nicht mehr sendet.</translation>
    </message>
    <message>
        <source>The data in receipt-data was malformed, or the App Store had a temporary issue.</source>
        <translation>Die Daten in receipt-data waren fehlerhaft, oder der App Store hatte ein vorübergehendes Problem.</translation>
    </message>
    <message>
        <source>The receipt could not be authenticated.</source>
        <translation>Der Beleg konnte nicht authentifiziert werden.</translation>
    </message>
    <message>
        <source>The shared secret does not match the one on file for the account.</source>
        <translation>Das gemeinsame Geheimnis stimmt nicht mit dem für das Konto hinterlegten überein.</translation>
    </message>
    <message>
        <source>The receipt server was temporarily unable to provide the receipt.</source>
        <translation>Der Belegserver konnte den Beleg vorübergehend nicht liefern.</translation>
    </message>
    <message>
        <source>The receipt is valid but the subscription has expired.</source>
        <translation>Der Beleg ist gültig, aber das Abonnement ist abgelaufen.</translation>
    </message>
    <message>
        <source>The receipt is from the test environment but was sent to production.</source>
        <translation>Der Beleg stammt aus der Testumgebung, wurde aber an die Produktion gesendet.</translation>
    </message>
    <message>
        <source>The receipt is from production but was sent to the test environment.</source>
        <translation>Der Beleg stammt aus der Produktion, wurde aber an die Testumgebung gesendet.</translation>
    </message>
    <message>
        <source>The App Store had an internal data access error.</source>
        <translation>Der App Store hatte einen internen Datenzugriffsfehler.</translation>
    </message>
    <message>
        <source>The user account cannot be found or has been deleted.</source>
        <translation>Das Benutzerkonto wurde nicht gefunden oder wurde gelöscht.</translation>
    </message>
    <message>
        <source>The App Store answered status %1.</source>
        <translation>Der App Store antwortete mit Status %1.</translation>
    </message>
    <message>
        <source>the App Store answered HTTP %1</source>
        <translation>der App Store antwortete mit HTTP %1</translation>
    </message>
    <message>
        <source>the App Store&apos;s answer is not a receipt response</source>
        <translation>die Antwort des App Store ist keine Belegantwort</translation>
    </message>
    <message>
        <source>the App Store did not answer in time</source>
        <translation>der App Store antwortete nicht rechtzeitig</translation>
    </message>
</context>
<context>
    <name>FrontMatter</name>
    <message>
        <source>invalid YAML front matter: %1</source>
        <translation>ungültiges Front Matter (YAML): %1</translation>
    </message>
    <message>
        <source>invalid TOML front matter: %1</source>
        <translation>ungültiges Front Matter (TOML): %1</translation>
    </message>
    <message>
        <source>front matter must be a mapping of keys to values</source>
        <translation>Front Matter muss eine Zuordnung von Schlüsseln zu Werten sein</translation>
    </message>
</context>
<context>
    <name>HiddenData</name>
    <message>
        <source>invisible characters that are no known payload</source>
        <translation>unsichtbare Zeichen, die keine bekannten versteckten Daten ergeben</translation>
    </message>
</context>
<context>
    <name>HiddenPayload</name>
    <message>
        <source>undecodable: %1</source>
        <translation>nicht lesbar: %1</translation>
    </message>
    <message>
        <source>encrypted (%1); needs its passphrase</source>
        <translation>verschlüsselt (%1); braucht die Passphrase</translation>
    </message>
    <message>
        <source>%1 bytes of binary data</source>
        <translation>%1 Bytes Binärdaten</translation>
    </message>
    <message>
        <source>no hidden payload starts there</source>
        <translation>dort beginnen keine versteckten Daten</translation>
    </message>
</context>
<context>
    <name>Injection</name>
    <message>
        <source>the data is larger than %1 KiB</source>
        <translation>die Daten sind größer als %1 KiB</translation>
    </message>
    <message>
        <source>the data is not UTF-8 (byte %1)</source>
        <translation>die Daten sind kein UTF-8 (Byte %1)</translation>
    </message>
    <message>
        <source>the data is not JSON: %1 at byte %2</source>
        <translation>die Daten sind kein JSON: %1 bei Byte %2</translation>
    </message>
    <message>
        <source>the data must be a JSON-LD object with &quot;@context&quot;, or an array of them</source>
        <translation>die Daten müssen ein JSON-LD-Objekt mit &quot;@context&quot; sein oder ein Array solcher Objekte</translation>
    </message>
    <message>
        <source>the input is not UTF-8 (byte %1)</source>
        <translation>die Eingabe ist kein UTF-8 (Byte %1)</translation>
    </message>
    <message>
        <source>the input ends inside a UTF-8 sequence</source>
        <translation>die Eingabe endet mitten in einer UTF-8-Folge</translation>
    </message>
    <message>
        <source>the input cannot be read twice: %1</source>
        <translation>die Eingabe kann nicht zweimal gelesen werden: %1</translation>
    </message>
    <message>
        <source>cannot read the input: %1</source>
        <translation>die Eingabe kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>cannot write the output: %1</source>
        <translation>die Ausgabe kann nicht geschrieben werden: %1</translation>
    </message>
</context>
<context>
    <name>JsonLd</name>
    <message>
        <source>a JSON-LD node must be an object</source>
        <translation>ein JSON-LD-Knoten muss ein Objekt sein</translation>
    </message>
    <message>
        <source>invalid JSON-LD: the block is empty</source>
        <translation>ungültiges JSON-LD: der Block ist leer</translation>
    </message>
    <message>
        <source>invalid JSON-LD: %1</source>
        <translation>ungültiges JSON-LD: %1</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>einer Zahl</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>einem Text</translation>
    </message>
    <message>
        <source>the block ends before the array does: a &apos;]&apos; is missing</source>
        <translation>der Block endet vor dem Array: ein &apos;]&apos; fehlt</translation>
    </message>
    <message>
        <source>the block ends before the object does: a &apos;}&apos; is missing</source>
        <translation>der Block endet vor dem Objekt: ein &apos;}&apos; fehlt</translation>
    </message>
    <message>
        <source>the block ends where a value should be</source>
        <translation>der Block endet, wo ein Wert stehen sollte</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a JSON value (true, false, null, a number, or text in double quotes)</source>
        <translation>&apos;%1&apos; ist kein JSON-Wert (true, false, null, eine Zahl oder Text in doppelten Anführungszeichen)</translation>
    </message>
    <message>
        <source>a string is not closed with &apos;&quot;&apos;</source>
        <translation>ein Text ist nicht mit &apos;&quot;&apos; geschlossen</translation>
    </message>
    <message>
        <source>a string holds a line break or another control character; write it as \n or another escape</source>
        <translation>ein Text enthält einen Zeilenumbruch oder ein anderes Steuerzeichen; schreiben Sie es als \n oder eine andere Escape-Folge</translation>
    </message>
    <message>
        <source>a number is not written as JSON writes numbers</source>
        <translation>eine Zahl ist nicht so geschrieben, wie JSON Zahlen schreibt</translation>
    </message>
    <message>
        <source>a value is missing before %1</source>
        <translation>vor %1 fehlt ein Wert</translation>
    </message>
    <message>
        <source>a key (text in double quotes) is missing before %1</source>
        <translation>vor %1 fehlt ein Schlüssel (Text in doppelten Anführungszeichen)</translation>
    </message>
    <message>
        <source>a &apos;:&apos; is missing after a key, before %1</source>
        <translation>nach einem Schlüssel, vor %1, fehlt ein &apos;:&apos;</translation>
    </message>
    <message>
        <source>a &apos;,&apos; or &apos;}&apos; is missing before %1</source>
        <translation>vor %1 fehlt ein &apos;,&apos; oder &apos;}&apos;</translation>
    </message>
    <message>
        <source>a &apos;,&apos; or &apos;]&apos; is missing before %1</source>
        <translation>vor %1 fehlt ein &apos;,&apos; oder &apos;]&apos;</translation>
    </message>
</context>
<context>
    <name>Kyozo::App</name>
    <message>
        <source>Cannot open notebook</source>
        <translation>Notizbuch kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Token for %1 (kyozo-server token create NAME):</source>
        <translation>Token für %1 (kyozo-server token create NAME):</translation>
    </message>
    <message>
        <source>Not signed in to %1</source>
        <translation>Nicht bei %1 angemeldet</translation>
    </message>
    <message>
        <source>Cannot read the CA file %1: %2</source>
        <translation>Die CA-Datei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 holds no PEM or DER certificate</source>
        <translation>%1 enthält kein PEM- oder DER-Zertifikat</translation>
    </message>
    <message>
        <source>Nothing to find.</source>
        <translation>Nichts zu suchen.</translation>
    </message>
    <message>
        <source>Not a regular expression: %1 (at character %2)</source>
        <translation>Kein regulärer Ausdruck: %1 (bei Zeichen %2)</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::BundledServer</name>
    <message>
        <source>it stopped abruptly</source>
        <translation>er brach plötzlich ab</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>Exit-Code %1</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::CellRunActions</name>
    <message>
        <source>Run all: %p%</source>
        <translation>Alle ausführen: %p%</translation>
    </message>
    <message>
        <source>Run &amp;Cell</source>
        <translation>&amp;Zelle ausführen</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <source>Run &amp;All</source>
        <translation>&amp;Alle ausführen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+Return</source>
        <translation>Ctrl+Shift+Return</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Anhalten</translation>
    </message>
    <message>
        <source>Ctrl+.</source>
        <translation>Ctrl+.</translation>
    </message>
    <message>
        <source>The server did not run it: %1</source>
        <translation>Der Server hat es nicht ausgeführt: %1</translation>
    </message>
    <message>
        <source>Waiting for the server to run it…</source>
        <translation>Warte darauf, dass der Server es ausführt …</translation>
    </message>
    <message>
        <source>The cursor is not in a code cell.</source>
        <translation>Der Cursor steht in keiner Code-Zelle.</translation>
    </message>
    <message>
        <source>Output: %1</source>
        <translation>Ausgabe: %1</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>läuft …</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed (exit %1)</source>
        <translation>fehlgeschlagen (Exit-Code %1)</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>Zeit überschritten</translation>
    </message>
    <message>
        <source>over its %1 limit</source>
        <translation>über der Grenze %1</translation>
    </message>
    <message>
        <source>%1, before the cell changed</source>
        <translation>%1, vor der Änderung der Zelle</translation>
    </message>
    <message>
        <source>The output was cut at the server&apos;s limit.</source>
        <translation>Die Ausgabe wurde an der Grenze des Servers abgeschnitten.</translation>
    </message>
    <message>
        <source>The notebook has no code cells.</source>
        <translation>Das Notizbuch hat keine Codezellen.</translation>
    </message>
    <message>
        <source>Output: %1 — %2</source>
        <translation>Ausgabe: %1 — %2</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::CodeHighlighter</name>
    <message>
        <source>Code cells are shown without colour: kate-syntax-highlighter (package libkf5syntaxhighlighting-tools) was not found.</source>
        <translation>Code-Zellen werden ohne Farbe angezeigt: kate-syntax-highlighter (Paket libkf5syntaxhighlighting-tools) wurde nicht gefunden.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::ConnectDialog</name>
    <message>
        <source>Connect to Server</source>
        <translation>Mit Server verbinden</translation>
    </message>
    <message>
        <source>https://kyozo.example.org</source>
        <translation>https://kyozo.example.org</translation>
    </message>
    <message>
        <source>team</source>
        <translation>team</translation>
    </message>
    <message>
        <source>the one kept for this server, or asked for</source>
        <translation>der für diesen Server gespeicherte, oder wird erfragt</translation>
    </message>
    <message>
        <source>none: the system&apos;s certificate authorities</source>
        <translation>keine: die Zertifizierungsstellen des Systems</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Server:</translation>
    </message>
    <message>
        <source>&amp;Workspace:</source>
        <translation>&amp;Arbeitsbereich:</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>Private &amp;CA:</source>
        <translation>Eigene &amp;CA:</translation>
    </message>
    <message>
        <source>Only for a server whose certificate your organisation&apos;s own certificate authority signed (a PEM or DER file).</source>
        <translation>Nur für einen Server, dessen Zertifikat die eigene Zertifizierungsstelle Ihrer Organisation signiert hat (eine PEM- oder DER-Datei).</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Enter the server&apos;s address.</source>
        <translation>Geben Sie die Adresse des Servers ein.</translation>
    </message>
    <message>
        <source>The server&apos;s address is an https:// (or http://) URL.</source>
        <translation>Die Adresse des Servers ist eine https://- (oder http://-) URL.</translation>
    </message>
    <message>
        <source>Enter the workspace&apos;s name.</source>
        <translation>Geben Sie den Namen des Arbeitsbereichs ein.</translation>
    </message>
    <message>
        <source>A private CA is for an https:// server.</source>
        <translation>Eine eigene CA gilt nur für einen https://-Server.</translation>
    </message>
    <message>
        <source>Private CA</source>
        <translation>Eigene CA</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.der);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt *.cer *.der);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>The token could not be kept: %1</source>
        <translation>Das Token konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Could not start a new window.</source>
        <translation>Ein neues Fenster konnte nicht gestartet werden.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::FindBar</name>
    <message>
        <source>Match &amp;case</source>
        <translation>Groß/&amp;klein beachten</translation>
    </message>
    <message>
        <source>&amp;Whole words</source>
        <translation>Ganze Wörte&amp;r</translation>
    </message>
    <message>
        <source>Re&amp;gular expression</source>
        <translation>Regulärer Aus&amp;druck</translation>
    </message>
    <message>
        <source>Find and replace</source>
        <translation>Suchen und Ersetzen</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Text to find</source>
        <translation>Zu suchender Text</translation>
    </message>
    <message>
        <source>Replace with</source>
        <translation>Ersetzen durch</translation>
    </message>
    <message>
        <source>Replacement</source>
        <translation>Ersetzung</translation>
    </message>
    <message>
        <source>&amp;Previous</source>
        <translation>&amp;Zurück</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>&amp;Weiter</translation>
    </message>
    <message>
        <source>&amp;Replace</source>
        <translation>&amp;Ersetzen</translation>
    </message>
    <message>
        <source>Replace &amp;All</source>
        <translation>&amp;Alle ersetzen</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Schließen (Esc)</translation>
    </message>
    <message>
        <source>Close the find bar</source>
        <translation>Suchleiste schließen</translation>
    </message>
    <message>
        <source>No match</source>
        <translation>Kein Treffer</translation>
    </message>
    <message>
        <source>1 replaced</source>
        <translation>1 ersetzt</translation>
    </message>
    <message>
        <source>%1 replaced</source>
        <translation>%1 ersetzt</translation>
    </message>
    <message>
        <source>%L1+ matches</source>
        <translation>%L1+ Treffer</translation>
    </message>
    <message>
        <source>1 match</source>
        <translation>1 Treffer</translation>
    </message>
    <message>
        <source>%L1 matches</source>
        <translation>%L1 Treffer</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::HiddenDataPanel</name>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Inhalt</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Double-click to open it with its passphrase.</source>
        <translation>Doppelklicken, um sie mit ihrer Passphrase zu öffnen.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::HideTextDialog</name>
    <message>
        <source>Hide text in selection</source>
        <translation>Text in der Auswahl verstecken</translation>
    </message>
    <message>
        <source>optional: encrypts the hidden text</source>
        <translation>optional: verschlüsselt den versteckten Text</translation>
    </message>
    <message>
        <source>the same passphrase again</source>
        <translation>dieselbe Passphrase noch einmal</translation>
    </message>
    <message>
        <source>&amp;Text to hide:</source>
        <translation>Zu versteckender &amp;Text:</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Confirm:</source>
        <translation>&amp;Bestätigen:</translation>
    </message>
    <message>
        <source>The text is carried by invisible characters in the selected text. Without its passphrase an encrypted text cannot be read back by anyone, you included.</source>
        <translation>Der Text wird von unsichtbaren Zeichen im ausgewählten Text getragen. Ohne seine Passphrase kann niemand einen verschlüsselten Text zurücklesen, auch Sie nicht.</translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation>&amp;Verstecken</translation>
    </message>
    <message>
        <source>Enter the text to hide.</source>
        <translation>Geben Sie den zu versteckenden Text ein.</translation>
    </message>
    <message>
        <source>Enter the passphrase again to confirm it.</source>
        <translation>Geben Sie die Passphrase zur Bestätigung noch einmal ein.</translation>
    </message>
    <message>
        <source>The passphrases differ.</source>
        <translation>Die Passphrasen stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::LicenseKeeper</name>
    <message>
        <source>Plan: %1</source>
        <translation>Tarif: %1</translation>
    </message>
    <message>
        <source>Plan: %1 (ends %2)</source>
        <translation>Tarif: %1 (endet am %2)</translation>
    </message>
    <message>
        <source>Plan: %1 (trial until %2)</source>
        <translation>Tarif: %1 (Testphase bis %2)</translation>
    </message>
    <message>
        <source>Your %1 subscription has ended (%2); you are on the free plan. Your notebooks and editing are not affected.</source>
        <translation>Ihr %1-Abonnement ist beendet (%2); Sie nutzen jetzt den kostenlosen Tarif. Ihre Notizbücher und das Bearbeiten sind davon nicht betroffen.</translation>
    </message>
    <message>
        <source>Plan: %1 (licence expired)</source>
        <translation>Tarif: %1 (Lizenz abgelaufen)</translation>
    </message>
    <message>
        <source>The licence for the %1 plan expired on %2. Editing goes on; connect to the server to renew it.</source>
        <translation>Die Lizenz für den Tarif %1 ist am %2 abgelaufen. Sie können weiter bearbeiten; verbinden Sie sich mit dem Server, um sie zu erneuern.</translation>
    </message>
    <message>
        <source>Plan: unknown</source>
        <translation>Tarif: unbekannt</translation>
    </message>
    <message>
        <source>The stored licence could not be verified (%1). Editing goes on.</source>
        <translation>Die gespeicherte Lizenz konnte nicht geprüft werden (%1). Sie können weiter bearbeiten.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::MainWindow</name>
    <message>
        <source>Copy for &amp;AI</source>
        <translation>Für &amp;KI kopieren</translation>
    </message>
    <message>
        <source>Ctrl+Shift+A</source>
        <translation>Ctrl+Shift+A</translation>
    </message>
    <message>
        <source>Notebooks</source>
        <translation>Notizbücher</translation>
    </message>
    <message>
        <source>Semantics</source>
        <translation>Semantik</translation>
    </message>
    <message>
        <source>Hidden data</source>
        <translation>Versteckte Daten</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>Open notebook</source>
        <translation>Notizbuch öffnen</translation>
    </message>
    <message>
        <source>Markdown (*.md *.markdown);;All files (*)</source>
        <translation>Markdown (*.md *.markdown);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save notebook</source>
        <translation>Notizbuch speichern</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Save failed</source>
        <translation>Speichern fehlgeschlagen</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>Speichern &amp;unter …</translation>
    </message>
    <message>
        <source>&amp;Export HTML…</source>
        <translation>HTML e&amp;xportieren …</translation>
    </message>
    <message>
        <source>Export HTML</source>
        <translation>HTML exportieren</translation>
    </message>
    <message>
        <source>HTML (*.html)</source>
        <translation>HTML (*.html)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Insert</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <source>&amp;JSON-LD block</source>
        <translation>&amp;JSON-LD-Block</translation>
    </message>
    <message>
        <source>Ctrl+Shift+J</source>
        <translation>Ctrl+Shift+J</translation>
    </message>
    <message>
        <source>&amp;Hide text in selection…</source>
        <translation>Text in Auswahl &amp;verstecken …</translation>
    </message>
    <message>
        <source>Ctrl+Shift+H</source>
        <translation>Ctrl+Shift+H</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1 is empty.</source>
        <translation>%1 ist leer.</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Cannot export to %1: %2</source>
        <translation>Export nach %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>%1 exportiert</translation>
    </message>
    <message>
        <source>Online: %1</source>
        <translation>Online: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n writer(s) in this workspace</source>
        <translation>
            <numerusform>%n Person in diesem Arbeitsbereich</numerusform>
            <numerusform>%n Personen in diesem Arbeitsbereich</numerusform>
        </translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <source>Save the changes to %1?</source>
        <translation>Änderungen an %1 speichern?</translation>
    </message>
    <message>
        <source>Cannot open notebook</source>
        <translation>Notizbuch kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Cannot hide text</source>
        <translation>Text kann nicht versteckt werden</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Unbenannt</translation>
    </message>
    <message>
        <source>%1[*] — Kyozo</source>
        <translation>%1[*] — Kyozo</translation>
    </message>
    <message>
        <source>Open hidden data</source>
        <translation>Versteckte Daten öffnen</translation>
    </message>
    <message>
        <source>Passphrase for the hidden data on line %1:</source>
        <translation>Passphrase für die versteckten Daten in Zeile %1:</translation>
    </message>
    <message>
        <source>Hidden data on line %1</source>
        <translation>Versteckte Daten in Zeile %1</translation>
    </message>
    <message>
        <source>Cannot open hidden data</source>
        <translation>Versteckte Daten können nicht geöffnet werden</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <source>Save a &amp;Copy…</source>
        <translation>&amp;Kopie speichern …</translation>
    </message>
    <message>
        <source>&amp;Upload to Workspace…</source>
        <translation>In den Arbeitsbereich &amp;hochladen …</translation>
    </message>
    <message>
        <source>Show &amp;History…</source>
        <translation>&amp;Verlauf anzeigen …</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Notebooks in %1</source>
        <translation>Notizbücher in %1</translation>
    </message>
    <message>
        <source>Cannot list the notebooks of %1: %2</source>
        <translation>Die Notizbücher von %1 können nicht aufgelistet werden: %2</translation>
    </message>
    <message>
        <source>Revision %1</source>
        <translation>Revision %1</translation>
    </message>
    <message numerus="yes">
        <source>%n edit(s) not sent yet</source>
        <translation>
            <numerusform>%n Änderung noch nicht gesendet</numerusform>
            <numerusform>%n Änderungen noch nicht gesendet</numerusform>
        </translation>
    </message>
    <message>
        <source>Upload to workspace</source>
        <translation>In den Arbeitsbereich hochladen</translation>
    </message>
    <message>
        <source>Cannot upload</source>
        <translation>Hochladen nicht möglich</translation>
    </message>
    <message>
        <source>Uploaded %1 to %2</source>
        <translation>%1 nach %2 hochgeladen</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Kopie speichern</translation>
    </message>
    <message>
        <source>Saved a copy as %1</source>
        <translation>Kopie als %1 gespeichert</translation>
    </message>
    <message>
        <source>History of %1</source>
        <translation>Verlauf von %1</translation>
    </message>
    <message>
        <source>&amp;Restore this version</source>
        <translation>Diese Version &amp;wiederherstellen</translation>
    </message>
    <message>
        <source>The history is not available: %1</source>
        <translation>Der Verlauf ist nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>Revision %1 — %2 — %3</source>
        <translation>Revision %1 — %2 — %3</translation>
    </message>
    <message>
        <source>Cannot restore: %1</source>
        <translation>Wiederherstellen nicht möglich: %1</translation>
    </message>
    <message>
        <source>S&amp;hare…</source>
        <translation>&amp;Teilen…</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>Cells run on a server: save the notebook to a file first, or open it from a team server.</source>
        <translation>Zellen laufen auf einem Server: Speichern Sie das Notizbuch zuerst als Datei oder öffnen Sie es von einem Team-Server.</translation>
    </message>
    <message>
        <source>Workspace &amp;Members…</source>
        <translation>Mitglieder des &amp;Arbeitsbereichs…</translation>
    </message>
    <message>
        <source>Connect to Ser&amp;ver…</source>
        <translation>Mit Ser&amp;ver verbinden…</translation>
    </message>
    <message>
        <source>1 word</source>
        <translation>1 Wort</translation>
    </message>
    <message>
        <source>%L1 words</source>
        <translation>%L1 Wörter</translation>
    </message>
    <message>
        <source>1 character</source>
        <translation>1 Zeichen</translation>
    </message>
    <message>
        <source>%L1 characters</source>
        <translation>%L1 Zeichen</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Ausschneiden</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>Ein&amp;fügen</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>Alles a&amp;uswählen</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <source>Find &amp;Next</source>
        <translation>Wei&amp;tersuchen</translation>
    </message>
    <message>
        <source>Find Pre&amp;vious</source>
        <translation>Rückwärts su&amp;chen</translation>
    </message>
    <message>
        <source>R&amp;eplace…</source>
        <translation>&amp;Ersetzen…</translation>
    </message>
    <message>
        <source>&amp;Go to Line…</source>
        <translation>&amp;Gehe zu Zeile…</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Go to Line</source>
        <translation>Gehe zu Zeile</translation>
    </message>
    <message>
        <source>Line (1 to %1):</source>
        <translation>Zeile (1 bis %1):</translation>
    </message>
    <message>
        <source>Line %1, column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <source>%L1 selected</source>
        <translation>%L1 ausgewählt</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>&amp;Neu</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>&amp;Originalgröße</translation>
    </message>
    <message>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <source>&amp;Full Screen</source>
        <translation>&amp;Vollbild</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About Kyozo</source>
        <translation>Ü&amp;ber Kyozo</translation>
    </message>
    <message>
        <source>About Kyozo</source>
        <translation>Über Kyozo</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Kyozo %1&lt;/h3&gt;&lt;p&gt;A notebook editor for Markdown-LD: Markdown that carries linked data.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;cmark-gfm %4&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Kyozo %1&lt;/h3&gt;&lt;p&gt;Ein Notizbuch-Editor für Markdown-LD: Markdown, das verknüpfte Daten trägt.&lt;/p&gt;&lt;p&gt;Qt %2 (gebaut mit %3)&lt;br&gt;cmark-gfm %4&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Reconnec&amp;t</source>
        <translation>Neu verb&amp;inden</translation>
    </message>
    <message>
        <source>C&amp;lose</source>
        <translation>Sch&amp;ließen</translation>
    </message>
    <message>
        <source>Pre&amp;view Shows</source>
        <translation>&amp;Vorschau zeigt</translation>
    </message>
    <message>
        <source>&amp;Front Matter as a Table</source>
        <translation>&amp;Front Matter als Tabelle</translation>
    </message>
    <message>
        <source>&amp;Linked Data as Cards</source>
        <translation>&amp;Linked Data als Karten</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>Automatisches Speichern fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Cannot restore</source>
        <translation>Wiederherstellen nicht möglich</translation>
    </message>
    <message>
        <source>Restored the unsaved changes. Save to keep them.</source>
        <translation>Die ungespeicherten Änderungen sind wiederhergestellt. Speichern Sie, um sie zu behalten.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::NotebookEditor</name>
    <message>
        <source>Select the text that should carry the hidden message first.</source>
        <translation>Wählen Sie zuerst den Text aus, der die versteckte Nachricht tragen soll.</translation>
    </message>
    <message>
        <source>Hidden data: %1</source>
        <translation>Versteckte Daten: %1</translation>
    </message>
    <message>
        <source>There is no line %1.</source>
        <translation>Es gibt keine Zeile %1.</translation>
    </message>
    <message>
        <source>the notebook&apos;s text is not valid Unicode.</source>
        <translation>der Text des Notizbuchs ist kein gültiges Unicode.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::NotebookMirror</name>
    <message>
        <source>the change does not fit the notebook&apos;s text</source>
        <translation>die Änderung passt nicht zum Text des Notizbuchs</translation>
    </message>
    <message>
        <source>the change would split a character</source>
        <translation>die Änderung würde ein Zeichen teilen</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::NotebookText</name>
    <message>
        <source>the file is %1 MB; the editor opens files up to %2 MB (kyozo-ld reads larger ones).</source>
        <translation>die Datei ist %1 MB groß; der Editor öffnet Dateien bis %2 MB (kyozo-ld liest größere).</translation>
    </message>
    <message>
        <source>the file is not UTF-8 text (invalid byte at offset %1).</source>
        <translation>die Datei ist kein UTF-8-Text (ungültiges Byte an Position %1).</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::PresencePanel</name>
    <message>
        <source>&amp;Follow</source>
        <translation>&amp;Folgen</translation>
    </message>
    <message>
        <source>Keep the selected writer&apos;s cursor in view until you type or scroll</source>
        <translation>Den Cursor der ausgewählten Person im Blick behalten, bis Sie tippen oder scrollen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::Preview</name>
    <message>
        <source>Linked data</source>
        <translation>Linked Data</translation>
    </message>
    <message>
        <source>This JSON-LD block does not parse: the Semantics panel says why.</source>
        <translation>Dieser JSON-LD-Block lässt sich nicht lesen: das Semantik-Panel sagt, warum.</translation>
    </message>
    <message>
        <source>Hidden data (%1 invisible characters)</source>
        <translation>Versteckte Daten (%1 unsichtbare Zeichen)</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>und %1 weitere</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::PreviewPanel</name>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::Recovery</name>
    <message>
        <source>cannot create the recovery folder %1</source>
        <translation>der Wiederherstellungsordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>cannot lock the recovery copy</source>
        <translation>die Wiederherstellungskopie kann nicht gesperrt werden</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::RecoveryBar</name>
    <message>
        <source>&amp;Restore</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <source>Kyozo kept the unsaved changes of an untitled notebook (%1) when it last ended without saving.</source>
        <translation>Kyozo hat die ungespeicherten Änderungen eines unbenannten Notizbuchs (%1) aufbewahrt, als es zuletzt ohne Speichern beendet wurde.</translation>
    </message>
    <message>
        <source>Kyozo kept unsaved changes to %1 (%2) when it last ended without saving.</source>
        <translation>Kyozo hat ungespeicherte Änderungen an %1 (%2) aufbewahrt, als es zuletzt ohne Speichern beendet wurde.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::RestClient</name>
    <message>
        <source>the server&apos;s answer is not JSON (%1).</source>
        <translation>die Antwort des Servers ist kein JSON (%1).</translation>
    </message>
    <message>
        <source>the server answered %1: %2</source>
        <translation>der Server antwortete %1: %2</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::SemanticsPanel</name>
    <message>
        <source>Rule &quot;%1&quot;: right %2% of the time on the labelled corpus</source>
        <translation>Regel „%1“: auf dem annotierten Korpus in %2 % der Fälle richtig</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>inferred</source>
        <translation>abgeleitet</translation>
    </message>
    <message>
        <source>explicit</source>
        <translation>explizit</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>%1 (line %2, column %3)</source>
        <translation>%1 (Zeile %2, Spalte %3)</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::ShareDialog</name>
    <message>
        <source>&amp;Share</source>
        <translation>&amp;Teilen</translation>
    </message>
    <message>
        <source>S&amp;top Sharing</source>
        <translation>Teilen &amp;beenden</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Teilen</translation>
    </message>
    <message>
        <source>A collaborator on your network can edit this notebook with you. The local server is restarted listening on the address below; a guest user is made for them.</source>
        <translation>Jemand in Ihrem Netzwerk kann dieses Notizbuch mit Ihnen bearbeiten. Der lokale Server wird dafür neu gestartet und nimmt Verbindungen auf der Adresse unten an; für Ihren Gast wird ein Benutzer angelegt.</translation>
    </message>
    <message>
        <source>Every address of this machine</source>
        <translation>Jede Adresse dieses Rechners</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Listen on:</source>
        <translation>Verbindungen annehmen auf:</translation>
    </message>
    <message>
        <source>The command for your collaborator appears here.</source>
        <translation>Hier erscheint der Befehl für Ihren Gast.</translation>
    </message>
    <message>
        <source>Your collaborator runs:</source>
        <translation>Ihr Gast führt aus:</translation>
    </message>
    <message>
        <source>&lt;b&gt;Not encrypted:&lt;/b&gt; the server has no TLS yet, so the notebook and the token cross the network in the clear. Share only on a network you trust, and stop sharing when you are done. The guest may edit but never run cells.</source>
        <translation>&lt;b&gt;Nicht verschlüsselt:&lt;/b&gt; Der Server kann noch kein TLS, Notizbuch und Token gehen also im Klartext durchs Netz. Teilen Sie nur in einem Netzwerk, dem Sie vertrauen, und beenden Sie das Teilen, wenn Sie fertig sind. Der Gast darf bearbeiten, aber nie Zellen ausführen.</translation>
    </message>
    <message>
        <source>Could not share: %1</source>
        <translation>Teilen nicht möglich: %1</translation>
    </message>
    <message>
        <source>“%1” is not an IP address.</source>
        <translation>„%1“ ist keine IP-Adresse.</translation>
    </message>
    <message>
        <source>Restarting the local server on %1…</source>
        <translation>Der lokale Server wird auf %1 neu gestartet …</translation>
    </message>
    <message>
        <source>Shared at %1.</source>
        <translation>Geteilt unter %1.</translation>
    </message>
    <message>
        <source>Not shared: the local server listens on loopback only.</source>
        <translation>Nicht geteilt: Der lokale Server nimmt nur Verbindungen von diesem Rechner an.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::SharedNotebook</name>
    <message>
        <source>The server refused this notebook: %1</source>
        <translation>Der Server hat dieses Notizbuch verweigert: %1</translation>
    </message>
    <message>
        <source>Opening the notebook…</source>
        <translation>Notizbuch wird geöffnet …</translation>
    </message>
    <message>
        <source>The server did not send the notebook&apos;s text.</source>
        <translation>Der Server hat den Text des Notizbuchs nicht gesendet.</translation>
    </message>
    <message>
        <source>Cannot open the notebook: %1</source>
        <translation>Das Notizbuch kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>The server refused your latest edits (%1); they were taken back.</source>
        <translation>Der Server hat Ihre letzten Änderungen abgelehnt (%1); sie wurden zurückgenommen.</translation>
    </message>
    <message>
        <source>The notebook&apos;s text and the server&apos;s disagree: %1</source>
        <translation>Der Text des Notizbuchs und der des Servers stimmen nicht überein: %1</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt …</translation>
    </message>
    <message>
        <source>Offline: edits are kept and sent when the connection is back</source>
        <translation>Offline: Änderungen bleiben erhalten und werden gesendet, sobald die Verbindung wieder steht</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::SoloMirror</name>
    <message>
        <source>Cannot mirror %1: %2</source>
        <translation>%1 kann nicht gespiegelt werden: %2</translation>
    </message>
    <message>
        <source>Cannot mirror %1: it contains a NUL character, which notebooks cannot hold.</source>
        <translation>%1 kann nicht gespiegelt werden: Die Datei enthält ein NUL-Zeichen, das ein Notizbuch nicht enthalten kann.</translation>
    </message>
    <message>
        <source>the server sent no id.</source>
        <translation>der Server hat keine ID geschickt.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::SoloSession</name>
    <message>
        <source>Local server stopped (%1); restarting…</source>
        <translation>Lokaler Server beendet (%1); Neustart …</translation>
    </message>
    <message>
        <source>Connected to the local server</source>
        <translation>Mit dem lokalen Server verbunden</translation>
    </message>
    <message>
        <source>Connecting to the local server…</source>
        <translation>Verbinde mit dem lokalen Server …</translation>
    </message>
    <message>
        <source>Disconnected from the local server; retrying…</source>
        <translation>Verbindung zum lokalen Server getrennt; neuer Versuch …</translation>
    </message>
    <message>
        <source>The local server refused this app: %1</source>
        <translation>Der lokale Server hat diese App abgewiesen: %1</translation>
    </message>
    <message>
        <source>kyozo-server was not found next to kyozo or on PATH; working offline.</source>
        <translation>kyozo-server wurde weder neben kyozo noch im PATH gefunden; Arbeit ohne Server.</translation>
    </message>
    <message>
        <source>Starting the local server…</source>
        <translation>Starte den lokalen Server …</translation>
    </message>
    <message>
        <source>Could not set up the local user: %1</source>
        <translation>Der lokale Benutzer konnte nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>kyozo-server was not found next to kyozo or on PATH.</source>
        <translation>kyozo-server wurde weder neben kyozo noch im PATH gefunden.</translation>
    </message>
    <message>
        <source>Could not create the guest user: %1</source>
        <translation>Der Gastbenutzer konnte nicht angelegt werden: %1</translation>
    </message>
    <message>
        <source>Restarting the local server to share it on %1…</source>
        <translation>Der lokale Server wird neu gestartet, um ihn auf %1 zu teilen …</translation>
    </message>
    <message>
        <source>Local server stopped (%1); it keeps failing. Trying again in %2 s, or now with File → Reconnect.</source>
        <translation>Lokaler Server gestoppt (%1); er scheitert immer wieder. Neuer Versuch in %2 s, oder jetzt mit Datei → Neu verbinden.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::TeamSession</name>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1 …</translation>
    </message>
    <message>
        <source>The server refused this token: %1</source>
        <translation>Der Server hat dieses Token abgewiesen: %1</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::TokenStore</name>
    <message>
        <source>turned off by KYOZO_NO_KEYCHAIN</source>
        <translation>durch KYOZO_NO_KEYCHAIN abgeschaltet</translation>
    </message>
    <message>
        <source>The desktop keychain is not available (%1); the token is kept in %2, readable only by you.</source>
        <translation>Der Schlüsselbund des Desktops ist nicht verfügbar (%1); das Token liegt in %2 und ist nur für Sie lesbar.</translation>
    </message>
</context>
<context>
    <name>Kyozo::App::WorkspaceDialog</name>
    <message>
        <source>Owner</source>
        <translation>Eigentümer</translation>
    </message>
    <message>
        <source>Editor</source>
        <translation>Bearbeiter</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>Leser</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Members of %1</source>
        <translation>Mitglieder von %1</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Cannot read the members: %1</source>
        <translation>Die Mitglieder können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Cannot change %1&apos;s role: %2</source>
        <translation>Die Rolle von %1 kann nicht geändert werden: %2</translation>
    </message>
    <message>
        <source>Cannot add %1: %2</source>
        <translation>%1 kann nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>Cannot remove %1: %2</source>
        <translation>%1 kann nicht entfernt werden: %2</translation>
    </message>
</context>
<context>
    <name>KyozoContainer</name>
    <message>
        <source>the payload is larger than %1 bytes</source>
        <translation>die zu versteckenden Daten sind größer als %1 Bytes</translation>
    </message>
    <message>
        <source>compression failed</source>
        <translation>Komprimierung fehlgeschlagen</translation>
    </message>
    <message>
        <source>key derivation failed</source>
        <translation>Schlüsselableitung fehlgeschlagen</translation>
    </message>
    <message>
        <source>encryption failed</source>
        <translation>Verschlüsselung fehlgeschlagen</translation>
    </message>
    <message>
        <source>not a Kyozo payload, or a damaged one (bad header)</source>
        <translation>keine Kyozo-Daten oder beschädigte Daten (ungültiger Header)</translation>
    </message>
    <message>
        <source>the payload is damaged (CRC-32 mismatch)</source>
        <translation>die versteckten Daten sind beschädigt (CRC-32-Prüfsumme stimmt nicht)</translation>
    </message>
    <message>
        <source>the payload is encrypted: a password is needed</source>
        <translation>die versteckten Daten sind verschlüsselt: eine Passphrase wird benötigt</translation>
    </message>
    <message>
        <source>the payload is damaged (too short)</source>
        <translation>die versteckten Daten sind beschädigt (zu kurz)</translation>
    </message>
    <message>
        <source>the payload is damaged (bad key parameters)</source>
        <translation>die versteckten Daten sind beschädigt (ungültige Schlüsselparameter)</translation>
    </message>
    <message>
        <source>wrong password, or the payload is damaged (authentication failed)</source>
        <translation>falsche Passphrase oder beschädigte Daten (Authentifizierung fehlgeschlagen)</translation>
    </message>
    <message>
        <source>the payload is damaged (cannot decompress)</source>
        <translation>die versteckten Daten sind beschädigt (Entpacken nicht möglich)</translation>
    </message>
</context>
<context>
    <name>PhoenixMessage</name>
    <message>
        <source>frame is not JSON: %1</source>
        <translation>der Frame ist kein JSON: %1</translation>
    </message>
    <message>
        <source>frame must be an array [join_ref, ref, topic, event, payload]</source>
        <translation>der Frame muss ein Array [join_ref, ref, topic, event, payload] sein</translation>
    </message>
    <message>
        <source>join_ref and ref must be strings or null</source>
        <translation>join_ref und ref müssen Strings oder null sein</translation>
    </message>
    <message>
        <source>topic and event must be non-empty strings</source>
        <translation>topic und event müssen nichtleere Strings sein</translation>
    </message>
</context>
<context>
    <name>Pipeline</name>
    <message>
        <source>%1 is not a Kyozo plugin (no %2)</source>
        <translation>%1 ist kein Kyozo-Plugin (kein %2)</translation>
    </message>
    <message>
        <source>cannot load the plugin %1: %2</source>
        <translation>das Plugin %1 kann nicht geladen werden: %2</translation>
    </message>
</context>
<context>
    <name>Rdfa</name>
    <message>
        <source>unknown prefix &quot;%1&quot; in &quot;%2&quot;</source>
        <translation>unbekanntes Präfix „%1“ in „%2“</translation>
    </message>
</context>
<context>
    <name>StegCloak</name>
    <message>
        <source>the StegCloak payload is encrypted: a password is needed</source>
        <translation>die StegCloak-Daten sind verschlüsselt: eine Passphrase wird benötigt</translation>
    </message>
    <message>
        <source>the StegCloak payload is damaged (too short)</source>
        <translation>die StegCloak-Daten sind beschädigt (zu kurz)</translation>
    </message>
    <message>
        <source>decryption failed</source>
        <translation>Entschlüsselung fehlgeschlagen</translation>
    </message>
    <message>
        <source>wrong password, or the payload is damaged (StegCloak HMAC mismatch)</source>
        <translation>falsche Passphrase oder beschädigte Daten (StegCloak-HMAC stimmt nicht überein)</translation>
    </message>
    <message>
        <source>the StegCloak payload is damaged (not UTF-8)</source>
        <translation>die StegCloak-Daten sind beschädigt (kein UTF-8)</translation>
    </message>
    <message>
        <source>wrong password, or a damaged payload (StegCloak without integrity cannot tell)</source>
        <translation>falsche Passphrase oder beschädigte Daten (StegCloak ohne Integritätsschutz kann das nicht unterscheiden)</translation>
    </message>
    <message>
        <source>StegCloak hides text: the message must be UTF-8</source>
        <translation>StegCloak versteckt Text: die Nachricht muss UTF-8 sein</translation>
    </message>
    <message>
        <source>StegCloak needs a cover of at least two words</source>
        <translation>StegCloak braucht einen Trägertext aus mindestens zwei Wörtern</translation>
    </message>
    <message>
        <source>encryption failed</source>
        <translation>Verschlüsselung fehlgeschlagen</translation>
    </message>
    <message>
        <source>the StegCloak payload is damaged (no stream at the start of its word)</source>
        <translation>die StegCloak-Daten sind beschädigt (kein Datenstrom am Anfang ihres Wortes)</translation>
    </message>
    <message>
        <source>no StegCloak payload found</source>
        <translation>keine StegCloak-Daten gefunden</translation>
    </message>
</context>
<context>
    <name>StreamParser</name>
    <message>
        <source>%1 is larger than maxBlockBytes (%2 bytes); its data was skipped</source>
        <translation>%1 ist größer als maxBlockBytes (%2 Bytes); seine Daten wurden übersprungen</translation>
    </message>
    <message>
        <source>front matter</source>
        <translation>Front Matter</translation>
    </message>
    <message>
        <source>JSON-LD block</source>
        <translation>JSON-LD-Block</translation>
    </message>
    <message>
        <source>HTML block</source>
        <translation>HTML-Block</translation>
    </message>
    <message>
        <source>it returned an item outside its block</source>
        <translation>es lieferte ein Element außerhalb seines Blocks</translation>
    </message>
    <message>
        <source>it returned invalid JSON (not a JSON-LD node object)</source>
        <translation>es lieferte ungültiges JSON (kein JSON-LD-Knotenobjekt)</translation>
    </message>
    <message>
        <source>it threw: %1</source>
        <translation>es warf eine Ausnahme: %1</translation>
    </message>
    <message>
        <source>it threw</source>
        <translation>es warf eine Ausnahme</translation>
    </message>
    <message>
        <source>it did not return within 10x its time budget (%1 ms) and was abandoned</source>
        <translation>es kehrte nicht binnen des Zehnfachen seines Zeitbudgets (%1 ms) zurück und wurde aufgegeben</translation>
    </message>
    <message>
        <source>it ran past its time budget (%1 ms)</source>
        <translation>es überschritt sein Zeitbudget (%1 ms)</translation>
    </message>
    <message>
        <source>plugin %1 was disabled for the rest of the document: %2</source>
        <translation>Plugin %1 wurde für den Rest des Dokuments abgeschaltet: %2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Kyozo: a notebook editor for Markdown-LD.</source>
        <translation>Kyozo: ein Notizbuch-Editor für Markdown-LD.</translation>
    </message>
    <message>
        <source>Work alone with a bundled local server (the default).</source>
        <translation>Allein mit einem mitgelieferten lokalen Server arbeiten (Standard).</translation>
    </message>
    <message>
        <source>Connect to a team server, e.g. https://kyozo.example.org.</source>
        <translation>Mit einem Team-Server verbinden, z. B. https://kyozo.example.org.</translation>
    </message>
    <message>
        <source>Team workspace to join (default: the server&apos;s &quot;team&quot;).</source>
        <translation>Team-Arbeitsbereich, dem beigetreten wird (Standard: „team“ des Servers).</translation>
    </message>
    <message>
        <source>Notebooks to open.</source>
        <translation>Zu öffnende Notizbücher.</translation>
    </message>
    <message>
        <source>With --server: open this notebook of the workspace.</source>
        <translation>Mit --server: dieses Notizbuch des Arbeitsbereichs öffnen.</translation>
    </message>
    <message>
        <source>With --server: sign in with this token and keep it in the keychain (as File → Share… prints it).</source>
        <translation>Mit --server: mit diesem Token anmelden und es im Schlüsselbund aufbewahren (wie Datei → Teilen… es ausgibt).</translation>
    </message>
    <message>
        <source>With --server: also trust the CA certificates in this PEM file (a team server with a private CA).</source>
        <translation>Mit --server: auch den CA-Zertifikaten in dieser PEM-Datei vertrauen (ein Teamserver mit einer privaten CA).</translation>
    </message>
</context>
</TS>
