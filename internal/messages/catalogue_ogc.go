package messages

// ogcCatalogue holds what the gateway says about map-service requests it
// cannot read (internal/gateway's ParseOGC). It lives in its own file so
// that the gateway's wording changes without touching the main table; init
// adds it there and refuses a key defined twice.
var ogcCatalogue = map[Key]entry{
	"ogc.protocol_unknown":    {"service type %s is not one the gateway knows: want wms, wmts, wfs, tms or download", "le type de service %s n'est pas connu de la passerelle : il faut wms, wmts, wfs, tms ou download"},
	"ogc.method":              {"%s requests are not read by the gateway: send a GET with the parameters in the query string", "la passerelle ne lit pas les requêtes %s : envoyez un GET avec les paramètres dans l'URL"},
	"ogc.service_unknown":     {"SERVICE=%s is not served here: want %s", "SERVICE=%s n'est pas servi ici : il faut %s"},
	"ogc.param_conflict":      {"%s is given more than once with different values (%s and %s): give it once", "%s est donné plusieurs fois avec des valeurs différentes (%s et %s) : donnez-le une seule fois"},
	"ogc.request_missing":     {"REQUEST is missing: name the %s operation (for instance GetCapabilities)", "REQUEST manque : nommez l'opération %s (par exemple GetCapabilities)"},
	"ogc.request_unknown":     {"REQUEST=%s is not a %s operation: want one of %s", "REQUEST=%s n'est pas une opération %s : il faut l'une de %s"},
	"ogc.request_unsupported": {"REQUEST=%s is not allowed through the gateway", "REQUEST=%s n'est pas permis à travers la passerelle"},
	"ogc.layers_missing":      {"%s is missing or empty: name the layers of the %s request", "%s manque ou est vide : nommez les couches de la requête %s"},
	"ogc.param_unsupported":   {"%s is not allowed through the gateway: name the layers with %s", "%s n'est pas permis à travers la passerelle : nommez les couches avec %s"},
	"ogc.param_mapserver":     {"%s belongs to MapServer's own interface, not to OGC services: it is not allowed through the gateway", "%s appartient à l'interface propre de MapServer, pas aux services OGC : il n'est pas permis à travers la passerelle"},
	"ogc.stored_query":        {"STOREDQUERY_ID=%s is not allowed through the gateway: use GetFeatureById, or name the feature types with TYPENAMES", "STOREDQUERY_ID=%s n'est pas permis à travers la passerelle : utilisez GetFeatureById, ou nommez les types d'objets avec TYPENAMES"},
	"ogc.feature_id":          {"%s %s does not name its feature type: want typename.id", "%s %s ne nomme pas son type d'objets : il faut typename.id"},
	"ogc.kvp_path":            {"%s: a %s request has no path after the service's: send the parameters in the query string", "%s : une requête %s n'a pas de chemin après celui du service : envoyez les paramètres dans l'URL"},
	"ogc.upstream_failed":     {"the map server behind this service did not answer properly: try again later", "le serveur cartographique derrière ce service n'a pas répondu correctement : réessayez plus tard"},
	"ogc.wmts_path":           {"%s is not a WMTS path: want /{Layer}/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.{ext} or /1.0.0/WMTSCapabilities.xml", "%s n'est pas un chemin WMTS : il faut /{Layer}/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.{ext} ou /1.0.0/WMTSCapabilities.xml"},
	"ogc.tms_path":            {"%s is not a TMS path: want /1.0.0/{layer}/{z}/{x}/{y}.{ext}", "%s n'est pas un chemin TMS : il faut /1.0.0/{couche}/{z}/{x}/{y}.{ext}"},
}

func init() { merge(ogcCatalogue) }
