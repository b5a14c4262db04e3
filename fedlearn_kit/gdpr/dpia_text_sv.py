"""The Swedish text of the DPIA draft (see :mod:`.dpia_text` for the English source).

One key per sentence, the same keys as the English; a test fails when a key is missing in
either language or when the Swedish uses a variant the term list (docs/swedish-terms.yaml)
forbids. Swedish law references follow Swedish citation style.
"""

from __future__ import annotations

SV: dict[str, str] = {
    "title": "Konsekvensbedömning avseende dataskydd: utkast",
    "disclaimer": "Utbildningsmaterial, inte juridisk rådgivning. Detta är ett utkast att "
                  "diskutera med ert dataskyddsombud, gjort av verktyget fedlearn-kit utifrån "
                  "era svar på kursens frågekort och fakta om ett syntetiskt experiment. Det är "
                  "ingen färdig konsekvensbedömning: för över innehållet till regionens egen "
                  "mall för konsekvensbedömningar. Rättsläge per {date}: kontrollera allt som "
                  "är daterat innan ni förlitar er på det.",
    "law_as_of": "Rättsläge per {date}.",
    "status": "{answered} av {total} frågor besvarade; {flagged} till dataskyddsombudet; "
              "{open} öppna, varav {blocking} beslut som blockerar resten.",
    "generated": "Skapat {date}.",
    "control": "Dokumentinformation",
    "control_rows": "projekt|personuppgiftsansvarig(a) (den nämnd eller styrelse i varje "
                    "region som bedriver vården)|diarienummer i varje region|beslut (av "
                    "nämnden eller enligt delegation) som ger mandat för projektet|"
                    "författare|version|status",
    "draft": "utkast",
    "fill": "[fylls i]",
    "history": "Versionshistorik",
    "history_head": "version|datum|vad som ändrats|av vem",
    "fact": "uppgift", "value": "värde",
    "screening": "Varför konsekvensbedömningen krävs",
    "screening_intro": "En konsekvensbedömning krävs när en behandling sannolikt leder till "
                       "en hög risk (artikel 35.1 i dataskyddsförordningen), särskilt vid "
                       "behandling i stor omfattning av uppgifter om hälsa (artikel 35.3 b). "
                       "IMY:s förteckning enligt artikel 35.4 kräver en bedömning när minst "
                       "två av kriterierna i WP 248 är uppfyllda.",
    "screening_head": "kriterium i WP 248|uppfyllt?",
    "yes": "ja", "no": "nej",
    "screening_conclusion": "{met} av de nio kriterierna är uppfyllda, och behandlingen avser "
                            "uppgifter om hälsa i stor omfattning: en konsekvensbedömning "
                            "krävs innan modellen tränas på verkliga patienter. Den "
                            "personuppgiftsansvarige dokumenterar beslutet här, med datum.",
    "description": "1. Systematisk beskrivning av behandlingen och dess ändamål "
                   "(artikel 35.7 a i dataskyddsförordningen)",
    "scope": "Art, omfattning, sammanhang och ändamål",
    "scope_head": "aspekt|beskrivning",
    "scope_rows": "art|en regions nämnder tränar en modell som förutsäger återinskrivning "
                  "inom 30 dagar efter ett vårdtillfälle för hjärtsvikt, tillsammans med en "
                  "annan region, genom federerad inlärning; modellen används sedan för att "
                  "välja patienter till uppföljning\n"
                  "omfattning|patienter med ett vårdtillfälle för hjärtsvikt vid de "
                  "deltagande sjukhusen; period, enheter och antal patienter: [fylls i]\n"
                  "sammanhang|patienterna är ofta gamla och sjuka (sårbara); de kan inte välja "
                  "vårdgivarens system (ojämlikt förhållande); en riskpoäng är profilering "
                  "(artikel 4.4 i dataskyddsförordningen); patienter förväntar sig att "
                  "journalen används för deras vård\n"
                  "ändamål|träning: systematisk kvalitetsutveckling; användning: vård av den "
                  "enskilda patienten (se Behandlingen fas för fas)",
    "experiment": "Experimentet",
    "f_data": "data", "f_sites": "sjukhus", "f_model": "modell", "f_training": "träning",
    "f_seed": "slumpfrö", "f_auroc": "AUROC (framtida patienter)", "f_notes": "anteckningar",
    "f_experiment": "experimentets fingeravtryck",
    "training": "{strategy}, med {engine}; {rounds} runda/rundor med {epochs} lokal(a) "
                "epok(er)",
    "subjects": "Kategorier av registrerade",
    "subjects_head": "registrerade|vilka",
    "categories": "Kategorier av personuppgifter",
    "categories_intro": "Ur datakortet för kursens kohort (samma kolumner som ett verkligt "
                        "uttag skulle ha): alla kategorier utom identifieraren och sjukhuset "
                        "är uppgifter om hälsa (artikel 9.1 i dataskyddsförordningen).",
    "categories_head": "kategori|variabler",
    "phases": "Behandlingen fas för fas",
    "phases_intro": "Att träna en modell och att använda den för patienter är skilda "
                    "behandlingar, var och en med eget ändamål och egen rättslig grund "
                    "(EDPB:s yttrande 28/2024). Utkastet föreslår båda; den "
                    "personuppgiftsansvarige avgör dem.",
    "phase_rows": "träning (att ta fram modellen)|användning (riskpoäng för patienter i "
                  "vården)",
    "phase_head": "fas|ändamål|rättslig grund (artiklarna 6 och 9 i "
                  "dataskyddsförordningen)|svensk grund",
    "phase_purpose_train": "att utveckla och säkra vårdens kvalitet med en modell som "
                           "förutsäger återinskrivning",
    "phase_purpose_use": "att välja patienter till uppföljning efter utskrivning",
    "phase_gdpr": "förslag: artikel 6.1 e och artikel 9.2 h med artikel 9.3 [bekräftas]",
    "phase_train_basis": "förslag: eget kvalitetsarbete, 2 kap. 4 § första stycket 3 PDL; "
                         "eller forskning med artikel 9.2 j, artikel 89 och etikprövning",
    "phase_use_basis": "förslag: vård av den enskilda patienten, 2 kap. 4 § första stycket 1 "
                       "PDL, med riskpoängen dokumenterad i journalen",
    "phase_answer": "Projektets svar på kortet ”{what}”: {answer}",
    "processing_flows": "Hur uppgifterna flyttas: uttag, träning och användning",
    "processing_flows_head": "steg|vad som sker",
    "flows": "Dataflöden: vad som lämnar varje sjukhus",
    "flows_intro": "Ur federationens meddelandelogg från {how}: varje svar som ett sjukhus "
                   "skickade till samordnaren. Journaluppgifterna stannar på sjukhuset; det "
                   "som listas här lämnar det.",
    "flows_how_measured": "en körning med en runda av detta experiment på den lokala motorn",
    "flows_head": "sjukhus|svar|vikter (antal tal)|skickas bredvid vikterna|feltexter",
    "flows_none": "Ingen meddelandelogg fanns för dessa fakta, så flödena listas inte; kör "
                  "lektion 08, eller `fedlearn-kit dpia` utan --facts, för att läsa dem ur en "
                  "körning.",
    "flows_errors": "En feltext skickas i stället för en uppdatering när träningen på ett "
                    "sjukhus misslyckas; den kan citera datavärden och är därför också ett "
                    "flöde att bedöma. Denna körning skickade {n}.",
    "recipients": "Mottagare",
    "recipients_head": "mottagare|vad den får, och med vilket stöd",
    "assets": "Tillgångar som behandlingen vilar på",
    "assets_head": "tillgång|vad det är",
    "retention": "Lagringstid",
    "retention_intro": "Hur länge varje del sparas och vem som raderar den (artikel 5.1 e i "
                       "dataskyddsförordningen); för en svensk myndighet gäller också "
                       "arkivreglerna (ett gallringsbeslut i nämndens "
                       "informationshanteringsplan).",
    "retention_head": "del|var|sparas till|vem raderar",
    "retention_rows": "journaluppgifter som används för träning|varje sjukhus\n"
                      "modelluppdateringar (varje runda)|samordnaren\n"
                      "globala modeller (varje runda och den slutliga)|samordnaren och varje "
                      "sjukhus\n"
                      "meddelande- och åtkomstloggar|samordnaren och varje sjukhus\n"
                      "nycklar och certifikat|varje part\n"
                      "utvärderingsresultat och denna konsekvensbedömning|projektet",
    "codes": "Uppförandekoder (artikel 35.8 i dataskyddsförordningen)",
    "necessity": "2. Behov och proportionalitet (artikel 35.7 b i dataskyddsförordningen)",
    "proportionality": "Är behandlingen nödvändig och proportionerlig?",
    "proportionality_intro": "Frågorna ett dataskyddsombud ställer före alla detaljer: var "
                             "och en besvaras av kortet som anges bredvid.",
    "proportionality_head": "fråga|vad som ska vägas|kort|besvarad?",
    "lawfulness": "Laglighet, uppgiftsminimering, lagringstid, biträden och överföringar",
    "necessity_intro": "Enligt bilaga 2 till WP 248: ändamål, laglighet, uppgiftsminimering, "
                       "lagringsminimering, biträden och överföringar.",
    "checklist_head": "fråga|lagrum|var den besvaras",
    "checklist": "Är ändamålen särskilda, uttryckligt angivna och berättigade, för träning och "
                 "för användning var för sig?|GDPR Art. 5(1)(b)\n"
                 "Vilken rättslig grund har varje fas, och vilket undantag i artikel 9 gäller "
                 "för uppgifter om hälsa?|GDPR Art. 6; GDPR Art. 9\n"
                 "Används bara de uppgifter som behövs (variabler, patienter, historik)?|GDPR "
                 "Art. 5(1)(c); GDPR Art. 25\n"
                 "Hur länge sparas data, uppdateringar, modeller och loggar (se "
                 "Lagringstid)?|GDPR Art. 5(1)(e)\n"
                 "Vem är personuppgiftsbiträde (till exempel samordnaren), på vilka villkor, "
                 "med vilka underbiträden?|GDPR Art. 28\n"
                 "Kan någon utanför EU/EES nå data, uppdateringar eller modeller (också en "
                 "leverantör under ett annat lands lag)?|GDPR Art. 44",
    "checklist_answered": "besvarade kort: {ids}",
    "checklist_open": "öppen",
    "rights": "De registrerades rättigheter",
    "rights_head": "rättighet|hur den tillgodoses här|kort",
    "risks": "3. Risker för de registrerades rättigheter och friheter "
             "(artikel 35.7 c i dataskyddsförordningen)",
    "measured": "Vad experimentet mätte",
    "note": "Anteckning från {section}: {text}",
    "risk_sources": "Riskkällor",
    "risk_sources_head": "källa|i den här behandlingen",
    "risk_sources_rows": "partnerregionen|dess personal eller system, som får den globala "
                         "modellen och, med två sjukhus, kan räkna fram det andra sjukhusets "
                         "uppdatering\n"
                         "en insider|personal vid den egna nämnden med åtkomst till uttag, "
                         "modeller eller loggar\n"
                         "samordnaren eller dess leverantör|ser varje uppdatering, antal och "
                         "mått\n"
                         "en utländsk myndighet|kan tvinga en leverantör under dess lag att "
                         "ge åtkomst\n"
                         "en angripare i nätet|mellan SuperNoder och SuperLink\n"
                         "modellen under användning|ingen angripare: drift, ojämn prestanda, "
                         "övertro\n"
                         "projektets egna rutiner|ett utlämnande eller en lagring som ingen "
                         "beslutat om",
    "scale": "Riskskala",
    "scale_intro": "Sannolikhet och allvarlighet bedöms efter konsekvensen för personen, inte "
                   "efter kategorin av uppgifter, och sannolikheten räknar med rättsliga och "
                   "avtalsmässiga gränser för en part, inte bara vad den tekniskt skulle kunna "
                   "göra (EU-domstolens dom i mål C-582/14 Breyer). Risknivån följer av "
                   "sannolikhet × allvarlighet: 1–3 låg, 4–6 medel, 8–9 hög, 12–16 mycket hög.",
    "likelihood_head": "sannolikhet|innebörd",
    "severity_head": "allvarlighet|innebörd",
    "register": "Riskförteckning",
    "register_intro": "Varje risk med sina riskkällor och sin typ av händelse (bilaga 2 till "
                      "WP 248: obehörig åtkomst, oönskad ändring, försvinnande; eller behandlingen "
                      "i sig, där risken för personen inte kräver någon säkerhetshändelse), "
                      "verktygets "
                      "förslag till sannolikhet och allvarlighet med skäl, och åtgärderna i del "
                      "4 som sänker den. Den personuppgiftsansvarige avgör nivåerna.",
    "register_head": "nr|risk|riskkällor|händelse|sannolikhet|allvarlighet|nivå|åtgärder",
    "l_unknown": "inte mätt: behandla modellen som personuppgifter",
    "l_shown": "läckage påvisat i experimentet",
    "l_not_shown": "inte påvisat på 5-procentsnivån av denna attack; en starkare attack kan "
                   "lyckas bättre",
    "l_unreadable": "kan inte avläsas: ingen jämförelsenivå",
    "l_bounded": "; differentiell integritet begränsar fördelen till {bound}",
    "measures": "4. Åtgärder för att hantera riskerna (artikel 35.7 d i "
                "dataskyddsförordningen)",
    "did": "Vad experimentet gjorde",
    "measures_table": "Åtgärder, ansvariga och tidpunkter",
    "measures_intro": "Varje åtgärd med den roll som ansvarar, tidpunkten och de risker i del 3 "
                      "som den sänker. \"Genomförd\" betyder att deltagarens experiment körde "
                      "den; allt annat är planerat.",
    "measures_head": "åtgärd|slag|ansvarig|senast|sänker risk|status",
    "kinds": "teknisk|organisatorisk",
    "in_place": "genomförd i experimentet", "planned": "planerad",
    "residual_table": "Kvarvarande risk per risk efter åtgärderna",
    "residual_table_intro": "Verktygets förslag när åtgärderna i förteckningen är genomförda: "
                            "varje åtgärd sänker sannolikheten, inte allvarligheten "
                            "(konsekvensen för en person är densamma). Den "
                            "personuppgiftsansvarige godtar eller ändrar varje nivå.",
    "residual_table_head": "nr|risk|före|efter åtgärderna|godtagen av den "
                           "personuppgiftsansvarige?",
    "answers": "Svar",
    "no_answers": "Inga svar i den här delen ännu; se de öppna frågorna.",
    "law": "Lagrum",
    "role": "Vem svarar",
    "owner": "ansvarig",
    "dpo_flag": "markerad: fråga dataskyddsombudet",
    "answer_other_lang": "(svaret är på engelska)",
    "text_other_lang": "(texten är på engelska)",
    "none": "ingen", "not_given": "inte angivet",
    "no_attack": "Läckage från modellen mättes inte i dessa fakta. Tills det är gjort "
                 "(lektion 05) bör modellen och dess uppdateringar behandlas som "
                 "personuppgifter: enligt AI Sweden («When will an AI model reveal your "
                 "sensitive data?», 5 juni 2024) var IMY:s poäng i pilotprojektet 2022–2023 att "
                 "ingen kunde bedöma hur sannolikt det var att sådana modeller läcker "
                 "träningsdata.",
    "attack": "{section}: en attack av typen {attack} mot {model} nådde en "
              "medlemskapsfördel (TPR − FPR) på {adv}{ci} med tröskeln vald på den andra "
              "hälften av patienterna, med {members} medlemmar och {non} icke-medlemmar.",
    "attack_ci": " (95 % intervall {lo} till {hi})",
    "null": " En blind attack når {null} eller mer i 5 % av fallen med samma antal.",
    "test": " Permutationstestet jämför attackens fördel vid bästa tröskel, {best}, med blinda "
            "attacker (samma poäng med medlemsmärkningen slumpvis omkastad): p = {p}.",
    "v_leak": " På 5-procentsnivån skiljer attacken medlemmar från icke-medlemmar bättre än "
              "slumpen: modellen avslöjar något om vilka som fanns i träningsdata, hur litet "
              "intervallet än visar att det är.",
    "v_none": " Läckage är inte påvisat på 5-procentsnivån. Det är inget belägg för att "
              "modellen är säker: en starkare attack, fler testpatienter eller en attack riktad "
              "mot ovanliga patienter kan visa det som denna inte kunde.",
    "v_nobase": " Inget permutationstest registrerades, så talet kan inte läsas som läckage "
                "eller frånvaro av läckage: bästa tröskelns TPR − FPR är över noll för nästan "
                "varje modell på ett ändligt urval, och ett intervall som når noll är inget "
                "belägg för att inget läcker.",
    "tpr": " Vid andelen falsklarm {fpr} hittade den {tpr} av medlemmarna{ci}; den andelen "
           "vilar på ungefär {k} av de {non} icke-medlemmarna{few}.",
    "tpr_ci": " (95 % intervall {lo} till {hi})",
    "tpr_few": ", för få för att bestämma den säkert",
    "some_members": "ett okänt antal",
    "dp": "{section}: differentiell integritet med ε = {eps}{delta} på nivån {level}; "
          "{adjacency}.",
    "dp_delta": ", δ = {delta}",
    "dp_adjacency_unknown": "grannrelationen registrerades inte",
    "dp_bound": " I medlemskapsspelet så som verktyget spelar det (en patient byts mot en "
                "annan, antalet patienter är detsamma) tillåter detta (ε, δ)-par ingen attack en "
                "fördel över {bound} (beräknat av lektionen som registrerade det).",
    "dp_bound_useless": " I medlemskapsspelet så som verktyget spelar det tillåter detta "
                        "(ε, δ)-par en fördel upp till {bound}, vilket ensamt begränsar lite.",
    "dp_mechanism": " Beräknad med mekanismens hela integritetsförlustfördelning tillåter samma "
                    "träning ingen attack mer än {bound}: (ε, δ)-paret är en punkt av den "
                    "avvägning som bruset ger och sammanfattar den pessimistiskt.",
    "dp_no_bound": " Ingen gräns för medlemskapsfördelen registrerades för denna budget.",
    "dp_covers": " Vad bruset skyddar: {covers}.",
    "dp_covers_unknown": " Vad bruset skyddar registrerades inte: patientantal och mått som "
                         "skickas bredvid vikterna skyddas inte om inte brus läggs till även "
                         "på dem.",
    "dp_seeded": " Bruset kom från ett fast slumpfrö för undervisningen: den som har fröet kan "
                 "återskapa bruset, så detta ε skulle inte gälla för en modell som lämnas ut.",
    "dp_record": " Differentiell integritet på postnivå skyddar en rad, och en rad är ett "
                 "vårdtillfälle (i kursens syntetiska data har varje patient precis ett). En "
                 "patient med k vårdtillfällen skyddas bara genom gruppintegritet: k·ε, med δ "
                 "multiplicerat med 1 + e^ε + … + e^((k−1)ε).",
    "dp_group": " För {k} vårdtillfällen blir det ε = {eps} vid δ = {delta}.",
    "dp_group_void": " För {k} vårdtillfällen blir det ε = {eps} vid δ = {delta}: ett δ på 1 "
                     "eller mer utlovar ingenting.",
    "dp_site": " Differentiell integritet på sjukhusnivå skyddar ett sjukhus hela bidrag i "
               "varje runda, och därmed varje patient i det.",
    "no_dp": "Ingen differentiell integritet användes, så ingen formell gräns begränsar vad "
             "modellen eller dess uppdateringar avslöjar om en enskild patient.",
    "two_sites": "Med två sjukhus kan vart och ett räkna fram det andras uppdatering ur "
                 "aggregatet och sin egen uppdatering (lektion 05): säker aggregering ensam "
                 "skyddar inte sjukhusen från varandra.",
    "m_synthetic": "Kursens experiment använde enbart syntetiska patienter.",
    "m_federated": "Journaluppgifterna stannar på sitt sjukhus; modelluppdateringar och de "
                   "värden som skickas bredvid dem (patientantal, utvärderingsmått, "
                   "feltexter) lämnar det ({strategy}).",
    "m_dp": "Differentiell integritet: {dp}.",
    "m_deployment": "Driftsättning i separata processer med TLS och autentisering av "
                    "SuperNoder (lektion 07).",
    "dpo_advice": "5. Dataskyddsombudets råd och om de följdes (artikel 35.2 i "
                  "dataskyddsförordningen)",
    "dpo_intro": "Dokumentera dataskyddsombudets råd om denna bedömning, och för varje punkt "
                 "om rådet följdes och, om inte, varför (artikel 35.2 i "
                 "dataskyddsförordningen).",
    "dpo_head": "dataskyddsombudets råd|datum|följt?|om inte, varför",
    "dpo_overall": "Dataskyddsombudets samlade yttrande och den personuppgiftsansvariges "
                   "beslut om det",
    "dpo_overall_rows": "dataskyddsombudets samlade yttrande\nden personuppgiftsansvariges "
                        "beslut om yttrandet, med skäl",
    "dpo_flagged": "Frågor markerade till dataskyddsombudet",
    "views": "6. De registrerades eller deras företrädares synpunkter (artikel 35.9 i "
             "dataskyddsförordningen)",
    "views_intro": "Inhämta när det är lämpligt synpunkter från de registrerade eller deras "
                   "företrädare (artikel 35.9 i dataskyddsförordningen), till exempel ett "
                   "patientråd eller en patientförening för hjärtsjuka; eller dokumentera "
                   "varför det inte gjordes.",
    "views_head": "vems synpunkter|hur och när|vad de sade|hur det ändrade planen",
    "views_not": "Inte inhämtade, eftersom:",
    "residual": "7. Kvarvarande risk och förhandssamråd med IMY (artikel 36 i "
                "dataskyddsförordningen)",
    "residual_intro": "Om en risk förblir hög efter åtgärderna ska den personuppgiftsansvarige "
                      "samråda med IMY innan behandlingen börjar (artikel 36.1 i "
                      "dataskyddsförordningen).",
    "residual_summary": "Risker vars föreslagna kvarvarande nivå fortfarande är hög eller "
                        "mycket hög: {high} av {total}. Den personuppgiftsansvarige avgör "
                        "varje nivå (del 4).",
    "decision": "Beslut om förhandssamråd",
    "decision_rows": "[ ] ingen kvarvarande risk är hög: inget förhandssamråd; skäl:\n"
                     "[ ] en kvarvarande risk är hög: samråd med IMY den (datum):",
    "art36": "Vad IMY får, och hur lång tid det kan ta",
    "art36_intro": "Vid ett förhandssamråd får IMY (artikel 36.3 i dataskyddsförordningen):",
    "art36_time": "Om IMY anser att behandlingen skulle strida mot förordningen ger IMY "
                  "skriftliga råd inom åtta veckor från begäran, en tid som får förlängas med "
                  "sex veckor vid en komplicerad behandling, och den personuppgiftsansvarige "
                  "underrättas om förlängningen inom en månad; tiderna löper inte medan IMY "
                  "väntar på begärda uppgifter (artikel 36.2 i dataskyddsförordningen). "
                  "Behandlingen påbörjas inte under tiden.",
    "approval": "8. Godkännande, omprövning och fördelning mellan de gemensamt "
                "personuppgiftsansvariga (artiklarna 35.11 och 26 i dataskyddsförordningen)",
    "approval_intro": "Vem som godkänner bedömningen för varje personuppgiftsansvarig, med "
                      "stöd av vilket beslut eller vilken delegation, och när den omprövas: "
                      "senast när risken ändras (artikel 35.11 i dataskyddsförordningen), till "
                      "exempel före första användningen för patienter, när ett sjukhus ansluter "
                      "eller lämnar, eller när modellen tränas om.",
    "approval_head": "roll|namn|datum",
    "approval_rows": "godkänd för varje personuppgiftsansvarig (nämnd eller styrelse), med "
                     "beslut eller delegation\ndataskyddsombudet har hörts\nnästa omprövning "
                     "(datum)\nvad som utlöser omprövning",
    "allocation": "Vilken nämnd som äger vilken del",
    "allocation_intro": "Gemensamt personuppgiftsansvariga fastställer sina skyldigheter "
                        "noggrant (WP 248; artikel 26 i dataskyddsförordningen): de delar av "
                        "konsekvensbedömningen som varje nämnd äger följer behandlingens steg.",
    "allocation_head": "vem|vilka steg och delar av konsekvensbedömningen|undertecknar",
    "secrecy": "9. Sekretessprövning och informationsklassning",
    "secrecy_intro": "Svensk offentlig förvaltning lägger till två bedömningar som "
                     "dataskyddsförordningen inte nämner: om och hur sekretessbelagda "
                     "uppgifter får lämnas vidare (OSL, TF), och hur informationen klassas för "
                     "säkerheten.",
    "secrecy_table": "Sekretessprövning",
    "secrecy_head": "fråga|vad som gäller här|slutsats",
    "classification": "Informationsklassning",
    "classification_intro": "Varje informationsslag får en konsekvensnivå (till exempel "
                            "KLASSA:s, efter MSB:s modell) för förlorad konfidentialitet, "
                            "riktighet och tillgänglighet; nivåerna avgör säkerhetsåtgärderna.",
    "classification_head": "information|konfidentialitet|riktighet|tillgänglighet",
    "checkpoints": "10. Kontrollpunkter enligt AI-förordningen, MDR och EHDS",
    "checkpoints_intro": "Frågor från andra regelverk för samma modell. Datumen är de som "
                         "kortens källor angav per {date}; kontrollera Europeiska unionens "
                         "officiella tidning innan ni förlitar er på dem.",
    "checkpoints_head": "lagrum|fråga|gäller|källa",
    "open": "11. Öppna frågor",
    "open_intro": "De här korten saknar svar. Var och en är en fråga som "
                  "konsekvensbedömningen måste besvara innan behandlingen börjar.",
    "blocking": "Beslut som blockerar resten",
    "blocking_intro": "Avgör dessa först, i den här ordningen: alla andra svar beror på dem.",
    "other_open": "Övriga öppna frågor, per lektion",
    "orphans": "Svar på kort som inte längre finns i kursen",
    "sources": "Källor",
}

#: The AI Act / MDR / EHDS checkpoints (fedlearn_kit.gdpr.checkpoints) in Swedish, by
#: reference: (the English question and "when" it translates, Swedish question, Swedish when).
#: A translation is used only while the English it was made from is unchanged; otherwise the
#: English is shown, and tests/unit/test_gdpr_dpia.py fails until the translation is updated.
_OMNIBUS_EN = ("as reported for the Digital Omnibus on AI (secondary sources; not confirmed in "
               "the Official Journal)")
_OMNIBUS_SV = ("enligt uppgifter om Digital Omnibus on AI (andrahandskällor; inte bekräftat i "
               "Europeiska unionens officiella tidning)")
CHECKPOINTS_SV: dict[str, tuple[str, str, str, str]] = {
    "AI Act Art. 3(1)": (
        "Is the model an AI system at all? The Commission's guidelines (Feb 2025) put some "
        "optimisation uses of logistic regression outside; a score predicting outcomes for "
        "patients is contested. Not binding; only the Court can settle it.",
        "definition applies since 2 Feb 2025",
        "Är modellen alls ett AI-system? Kommissionens riktlinjer (februari 2025) lägger vissa "
        "optimeringsanvändningar av logistisk regression utanför; en poäng som förutsäger "
        "utfall för patienter är omstridd. Riktlinjerna är inte bindande; bara domstolen kan "
        "avgöra saken.", "definitionen gäller sedan 2 februari 2025"),
    "AI Act Art. 3(3)": (
        "Does the region build the model and put it into service under its own name? Then it "
        "is the provider, not only a deployer (and may be the manufacturer under MDR Art. "
        "2(30), unless the in-house route of MDR Art. 5(5) applies).",
        "applies since 2 Feb 2025",
        "Tar regionen fram modellen och tar den i bruk i eget namn? Då är regionen "
        "leverantör, inte bara tillhandahållare (och kan vara tillverkare enligt artikel 2.30 "
        "i MDR, om inte vägen för egentillverkning i artikel 5.5 i MDR gäller).",
        "gäller sedan 2 februari 2025"),
    "AI Act Art. 4": (
        "Have the people who build, run and use the model had AI-literacy measures? The "
        "Omnibus reportedly rewords this as a duty to support AI literacy.",
        "applies since 2 Feb 2025; new wording " + _OMNIBUS_EN,
        "Har de som bygger, driver och använder modellen fått åtgärder för AI-kunnighet? "
        "Omnibusen formulerar enligt uppgift om detta till en skyldighet att stödja "
        "AI-kunnighet.", "gäller sedan 2 februari 2025; ny lydelse " + _OMNIBUS_SV),
    "AI Act Art. 2(6)": (
        "Is the work solely scientific research, or pre-market development (Art. 2(8))? Both "
        "are outside the AI Act; testing in real-world conditions is not.",
        "applies since 2 Feb 2025",
        "Är arbetet enbart vetenskaplig forskning, eller utveckling före utsläppande på "
        "marknaden (artikel 2.8)? Båda ligger utanför AI-förordningen; testning under "
        "verkliga förhållanden gör det inte.", "gäller sedan 2 februari 2025"),
    "AI Act Art. 6(1)": (
        "Is the model (part of) a medical device that needs a notified body? Then it is a "
        "high-risk AI system, with duties on data governance, oversight and logging; its "
        "serious incidents are reported under MDR vigilance, and under the AI Act only as Art. "
        "73(10) allows.", "originally 2 Aug 2027; 2 Aug 2028 " + _OMNIBUS_EN,
        "Är modellen (del av) en medicinteknisk produkt som kräver ett anmält organ? Då är "
        "den ett AI-system med hög risk, med skyldigheter om datastyrning, tillsyn och "
        "loggning; dess allvarliga incidenter rapporteras enligt MDR:s regler om "
        "säkerhetsövervakning, och enligt AI-förordningen bara så långt artikel 73.10 medger.",
        "ursprungligen 2 augusti 2027; 2 augusti 2028 " + _OMNIBUS_SV),
    "AI Act Annex III": (
        "Point 5(a): does a public body use the score to decide eligibility for health care "
        "services? A score that profiles patients cannot use the Art. 6(3) derogation; a "
        "public-law deployer owes a fundamental-rights impact assessment (Art. 27) and "
        "patients may ask for an explanation (Art. 86).",
        "originally 2 Aug 2026; 2 Dec 2027 " + _OMNIBUS_EN,
        "Punkt 5 a: använder ett offentligt organ poängen för att avgöra rätt till hälso- "
        "och sjukvårdstjänster? En poäng som profilerar patienter kan inte använda undantaget "
        "i artikel 6.3; en offentligrättslig tillhandahållare ska göra en konsekvensbedömning "
        "avseende grundläggande rättigheter (artikel 27), och patienter kan begära en "
        "förklaring (artikel 86).", "ursprungligen 2 augusti 2026; 2 december 2027 " + _OMNIBUS_SV),
    "AI Act Art. 10(5)": (
        "Do we need special-category data to detect and correct bias? Allowed only under the "
        "listed safeguards; the Omnibus reportedly extends a similar permission beyond "
        "high-risk systems.", "with the high-risk rules; extension " + _OMNIBUS_EN,
        "Behöver vi särskilda kategorier av personuppgifter för att upptäcka och rätta "
        "snedvridning? Det är tillåtet bara med de skyddsåtgärder som räknas upp; Omnibusen "
        "utvidgar enligt uppgift en liknande möjlighet utöver AI-system med hög risk.",
        "med reglerna för hög risk; utvidgningen " + _OMNIBUS_SV),
    "MDR Art. 2(1)": (
        "Is the model, as used, software with a medical purpose, and which class does Rule 11 "
        "(MDR Annex VIII) give it?", "applies since 26 May 2021",
        "Är modellen, så som den används, programvara med ett medicinskt syfte, och vilken "
        "klass ger regel 11 (bilaga VIII till MDR) den?", "gäller sedan 26 maj 2021"),
    "MDR Art. 5(5)(a)": (
        "Could the in-house exemption apply? Among its conditions, the device must not be "
        "transferred to another legal entity: a model shared by two regions usually does not "
        "qualify.", "applies since 26 May 2021",
        "Kan undantaget för egentillverkning gälla? Ett av villkoren är att produkten inte "
        "överlåts till en annan juridisk person: en modell som delas av två regioner "
        "uppfyller det oftast inte.", "gäller sedan 26 maj 2021"),
    "MDR Art. 87": (
        "Who reports serious incidents as manufacturer, and how does that fit with lex Maria "
        "(PSL 3 kap. 5 §) for the care provider?", "applies since 26 May 2021",
        "Vem rapporterar allvarliga tillbud som tillverkare, och hur passar det med lex "
        "Maria (3 kap. 5 § PSL) för vårdgivaren?", "gäller sedan 26 maj 2021"),
    "EHDS Art. 53(1)(f)": (
        "Would training on other providers' data go through a data permit (Art. 68) or data "
        "request (Art. 69), in a secure processing environment (Art. 73)? Improving care (f), "
        "or quality and safety of care (a), may fit better than research (e).",
        "most of the secondary-use chapter from 26 Mar 2029",
        "Skulle träning på andra vårdgivares data gå via ett dataåtkomsttillstånd (artikel "
        "68) eller en begäran om hälsodata (artikel 69), i en säker behandlingsmiljö "
        "(artikel 73)? "
        "Förbättring av vården (f), eller vårdens kvalitet och säkerhet (a), kan passa "
        "bättre än forskning (e).",
        "större delen av kapitlet om sekundär användning från 26 mars 2029"),
    "EHDS Art. 54": (
        "Could the use be one the EHDS prohibits, such as decisions that harm individuals on "
        "the basis of their health data?", "from 26 Mar 2029",
        "Kan användningen vara en som EHDS förbjuder, till exempel beslut som skadar "
        "enskilda på grund av deras uppgifter om hälsa?", "från 26 mars 2029"),
    "EHDS Art. 71": (
        "How are patients who opt out of secondary use kept out of the data, and what does "
        "that do to the population the model learns from?",
        "with the secondary-use chapter",
        "Hur hålls patienter som har använt rätten att avstå från sekundär användning "
        "utanför data, och vad gör det med den population modellen lär sig av?",
        "med kapitlet om sekundär användning"),
}
